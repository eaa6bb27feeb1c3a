#!/usr/bin/env node
// Launcher only: the CLI is built into dist/ by `npm run build` (run by `npm ci` through `prepare`).
import '../dist/cli.js';

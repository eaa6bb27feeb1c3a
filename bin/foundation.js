#!/usr/bin/env node
// Launcher only: the CLI is bundled into dist/ by `npm run build` (run by `npm ci` through `prepare`).
// CommonJS (bin/package.json), like the bundles: Node's ESM loader is never started for --help.
// With --debug, stack traces point at src/*.ts through dist/*.cjs.map (off otherwise: no map is read).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
require('../dist/launch.cjs');

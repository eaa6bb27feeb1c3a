#!/usr/bin/env node
// Launcher only: the CLI is bundled into dist/ by `npm run build` (run by `npm ci` through `prepare`).
// With --debug, stack traces point at src/*.ts through dist/*.js.map (off otherwise: no map is read).
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
await import('../dist/cli.js');

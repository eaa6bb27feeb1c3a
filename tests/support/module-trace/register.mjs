// NODE_OPTIONS="--import <this file>": reports each heavy library the process loads, so a test
// sees which ones a command loads. The bundle require()s them (resolved by the CommonJS
// resolver, patched here); their own imports of each other go through hooks.mjs.
import Module, { register } from 'node:module';

register(new URL('./hooks.mjs', import.meta.url));

const HEAVY = /node_modules\/(@gitbeaker\/[^/]+|@kubernetes\/client-node|@aws-sdk\/client-s3|listr2)\//;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  const heavy = HEAVY.exec(resolved);
  if (heavy) process.stderr.write(`module-trace: loaded ${heavy[1]}\n`);
  return resolved;
};

// NODE_OPTIONS="--import <this file>": reports each heavy library the process loads, so a test
// sees which ones a command loads. The bundle require()s them (resolved by the CommonJS
// resolver, patched here); their own imports of each other go through hooks.mjs; one that
// foundation bundles itself (@kubernetes/client-node) is seen as its bundle loads.
import { subscribe } from 'node:diagnostics_channel';
import Module, { register } from 'node:module';
import { reportIfHeavy } from './hooks.mjs';

register(new URL('./hooks.mjs', import.meta.url));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  reportIfHeavy(resolved);
  return resolved;
};

// A library foundation loads from its own bundle (src/util/code-cache.ts publishes each one).
const BUNDLED = { 'kubernetes-client.cjs': '@kubernetes/client-node' };
subscribe('foundation:bundle-load', ({ file }) => {
  const library = BUNDLED[file.split('/').pop()];
  if (library) process.stderr.write(`module-trace: loaded ${library}\n`);
});

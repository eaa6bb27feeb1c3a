// NODE_OPTIONS="--import <this file>": reports each heavy library the process loads, so a test
// sees which ones a command loads. The bundle require()s them (resolved by the CommonJS
// resolver, patched here); their own imports of each other go through hooks.mjs.
import Module, { register } from 'node:module';
import { reportIfHeavy } from './hooks.mjs';

register(new URL('./hooks.mjs', import.meta.url));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const resolved = resolveFilename.apply(this, args);
  reportIfHeavy(resolved);
  return resolved;
};

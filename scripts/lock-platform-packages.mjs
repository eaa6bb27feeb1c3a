#!/usr/bin/env node
// rust-just ships its binary as one optional package per platform, and the npm registry
// reachable here holds only rust-just-linux-x64. npm then leaves the other platforms out
// of package-lock.json, and `npm ci` refuses a lock that misses an optional dependency.
// This records each missing one as an optional, os/cpu-gated entry, which npm skips on
// other platforms without fetching it. Run it after any `npm install` that rewrote the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const NODE_OS = { darwin: 'darwin', linux: 'linux', windows: 'win32' };
const NODE_CPU = { armv7: 'arm' };

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const parent = lock.packages['node_modules/rust-just'];
let added = 0;
for (const [name, version] of Object.entries(parent?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = /^rust-just-(darwin|linux|windows)-(.+)$/.exec(name);
  if (lock.packages[key] || !platform) continue;
  lock.packages[key] = { version, dev: true, optional: true, os: [NODE_OS[platform[1]]], cpu: [NODE_CPU[platform[2]] ?? platform[2]] };
  added++;
}
const entries = Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
lock.packages = Object.fromEntries(entries);
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform package${added === 1 ? '' : 's'} recorded`);

#!/usr/bin/env node
// The floor of the `chain` and `large` benchmarks: what a wrapper that costs nothing but
// Node's start gets. Runs the plan foundation runs (`plan -input=false -detailed-exitcode
// -out=<tmp> -no-color`, then any extra arguments) in each root given, `parallelism` at a
// time, and exits 0 when every plan succeeded.
//
//   node bench/bare-plans.js <tofu binary> <parallelism> <root>... [-- <extra tofu arguments>]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const dashes = args.indexOf('--');
const [tofu, parallelism, ...roots] = dashes === -1 ? args : args.slice(0, dashes);
const extra = dashes === -1 ? [] : args.slice(dashes + 1);
const out = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-bare-'));
const plan = (root, i) =>
  new Promise((resolve) => {
    const child = spawn(tofu, ['plan', '-input=false', '-detailed-exitcode', `-out=${path.join(out, `${i}.tfplan`)}`, '-no-color', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('close', (code) => resolve(code));
  });

let next = 0;
let failed = false;
await Promise.all(
  Array.from({ length: Math.min(Number(parallelism), roots.length) }, async () => {
    while (next < roots.length) {
      const i = next++;
      const code = await plan(roots[i], i);
      if (code !== 0 && code !== 2) failed = true;
    }
  }),
);
rmSync(out, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;

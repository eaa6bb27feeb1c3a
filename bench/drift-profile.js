#!/usr/bin/env node
// Where one whole `foundation drift` process spends its time: the CLI runs under V8's
// sampling profiler (node --cpu-prof) against the test Kubernetes API with many objects
// (bench/kube-api.js), and each sample is put in one bucket by the innermost frame on its
// stack that names one (JSON.parse under fetchJson under compareStack counts as a request). What it found and what changed: bench/README.md, "Drift tools" and the drift result.
//
//   npm run build && node bench/drift-profile.js [--objects 10000] [--runs 3] [--before <another build's bin/foundation.js>]
//
// With --before, the two builds take turns, run by run, so load on the machine falls on both alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startBulkCluster } from './kube-api.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { objects: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' }, before: { type: 'string' } } });
const BUILDS = [['this build', path.join(REPO_ROOT, 'bin', 'foundation.js')], ...(values.before ? [['before', path.resolve(values.before)]] : [])];

/** Buckets, by a frame on the sample's stack (the innermost one that matches decides). */
const BUCKETS = [
  ['import @kubernetes/client-node', (f) => f.url.includes('/node_modules/@kubernetes/') || f.functionName === 'loadESMFromCJS'],
  ['read and parse the state file', (f) => ['parseState', 'localStateReader'].includes(f.functionName)],
  ['compare (state to expected objects, every field)', (f) => f.functionName === 'compareStack'],
  ['requests: TLS, HTTP, JSON.parse of the LIST pages', (f) => ['fetchJson', 'listAll', 'discoverKinds'].includes(f.functionName) || /node:(_tls|tls|https|_http|net)/.test(f.url) || f.url.includes('/node_modules/node-fetch/')],
  ['report (JSON, redaction, stdout)', (f) => ['printJson', 'printOut', 'redact'].includes(f.functionName)],
];

function breakdown(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const stack = [];
    for (let x = id; x !== undefined; x = parent.get(x)) stack.unshift(byId.get(x).callFrame);
    const leaf = stack.at(-1).functionName;
    let bucket = leaf === '(garbage collector)' ? 'garbage collection' : leaf === '(idle)' ? 'idle: waiting for the API server' : undefined;
    const frame = stack.findLast((f) => BUCKETS.some(([, match]) => match(f)));
    bucket ??= frame ? BUCKETS.find(([, match]) => match(frame))[0] : 'the rest: Node and CLI start-up, configuration, discovery set-up';
    totals.set(bucket, (totals.get(bucket) ?? 0) + ms);
  });
  return { totals, wallMs: (profile.endTime - profile.startTime) / 1000 };
}

const cluster = await startBulkCluster(Number(values.objects), (t) => process.stderr.write(`${t}\n`));
try {
  const env = { ...process.env, ENV: 'dev', KUBECONFIG: cluster.kubeconfig, CI: '' };
  const runs = new Map(BUILDS.map(([name]) => [name, []]));
  for (let r = 0; r < Number(values.runs); r++) {
    for (const [name, cli] of BUILDS) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'foundation-drift-profile-'));
      // The API server answers from this process: the CLI runs asynchronously beside it.
      const code = await new Promise((resolve, reject) => {
        const args = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', cli, 'drift', 'bulk', '--state-file', cluster.stateFile, '--json'];
        spawn(process.execPath, args, { cwd: cluster.project, env, stdio: ['ignore', 'ignore', 'inherit'] }).on('error', reject).on('close', resolve);
      });
      if (code !== 0) throw new Error(`drift (${name}) exited ${code}`);
      runs.get(name).push(breakdown(path.join(dir, readdirSync(dir)[0])));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const buckets = [...new Set([...runs.values()].flat().flatMap((r) => [...r.totals.keys()]))];
  const cell = (name, bucket) => median(runs.get(name).map((r) => r.totals.get(bucket) ?? 0));
  const wall = (name) => median(runs.get(name).map((r) => r.wallMs));
  const names = BUILDS.map(([name]) => name);
  console.log(`Command: \`node bench/drift-profile.js --objects ${values.objects} --runs ${values.runs}${values.before ? ` --before ${values.before}` : ''}\` (${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, load after ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')})\n`);
  console.log(`| Where (median of ${values.runs} profiled runs, ms and share) | ${names.join(' | ')} |\n| --- |${names.map(() => ' ---: |').join('')}`);
  const share = (name, ms) => `${ms.toFixed(0)} (${((ms / wall(name)) * 100).toFixed(0)}%)`;
  for (const bucket of buckets.sort((a, b) => cell(names[0], b) - cell(names[0], a))) console.log(`| ${bucket} | ${names.map((name) => share(name, cell(name, bucket))).join(' | ')} |`);
  console.log(`| profiled time of the process (from the profiler's start to its end) | ${names.map((name) => wall(name).toFixed(0)).join(' | ')} |`);
} finally {
  await cluster.stop();
}

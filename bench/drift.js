#!/usr/bin/env node
// foundation drift over many live objects against the test Kubernetes API: wall time and
// request count of the LIST-based read (discovery plus one paged LIST per kind and
// namespace) against the same job done with one GET per object, in one run. What is
// measured and why: bench/README.md, "Drift tools".
//
//   npm run build && node bench/drift.js                 10,000 objects, 3 timed runs per row
//   node bench/drift.js --objects 2000 --runs 5 --json
//
// The test API (tests/support/kube-api-server.ts) runs in this process over https on
// 127.0.0.1; it and the drift modules are bundled from their TypeScript first (bench/bundle.js),
// since Node 20 does not run .ts. No network but loopback.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleModules } from './bundle.js';
import { KINDS, NAMESPACES, startBulkCluster } from './kube-api.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO_ROOT, 'bin', 'foundation.js');

const { values: options } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  },
});
const total = Number(options.objects);
const runs = Number(options.runs);
if (!Number.isInteger(total) || total < KINDS.length * NAMESPACES.length || !Number.isInteger(runs) || runs < 1) {
  console.error('error: --objects must be an integer of at least 15 and --runs a positive integer');
  process.exit(1);
}
const log = (text) => process.stderr.write(`${text}\n`);
// The drift modules, bundled from src/ for this process (dist/ holds only the CLI's chunks).
// They are written under bench/.work (gitignored) so their external packages resolve from node_modules.
const MODULES = {
  'kube/client': 'src/kube/client.ts',
  'kube/list': 'src/kube/list.ts',
  'drift/live': 'src/drift/live.ts',
  'drift/stack-drift': 'src/drift/stack-drift.ts',
  'drift/compare': 'src/drift/compare.ts',
  'drift/ignore': 'src/drift/ignore.ts',
  'drift/state': 'src/drift/state.ts',
  'drift/expected': 'src/drift/expected.ts',
};
const drift = await bundleModules(REPO_ROOT, MODULES, path.join(REPO_ROOT, 'bench', '.work', 'drift-modules'));
if (!existsSync(path.join(REPO_ROOT, 'dist', 'cli.cjs'))) {
  console.error('error: dist/ is missing; run "npm run build" first');
  process.exit(1);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function runCliOnce(args, { cwd, env }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

let cluster;
try {
  cluster = await startBulkCluster(total, log);
  const { server, project, stateFile, kubeconfig, objects, layout: spread } = cluster;
  const env = { ...process.env, ENV: 'dev', KUBECONFIG: kubeconfig, CI: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const name of Object.keys(env)) if (/^(TOFU_BACKEND_|KUBE_CONTEXT|GITHUB_)/.test(name)) delete env[name];
  process.env.KUBECONFIG = kubeconfig;

  // in-process: the same client layer, the same state, the same comparison; only the reads differ
  const { connectKube } = drift['kube/client'];
  const { discoverKinds, getJson, collectionPath } = drift['kube/list'];
  const { LiveReader } = drift['drift/live'];
  const { compareStack } = drift['drift/stack-drift'];
  const { compareObject } = drift['drift/compare'];
  const { ignoredPaths } = drift['drift/ignore'];
  const { parseState } = drift['drift/state'];
  const { stateExpectations } = drift['drift/expected'];
  const client = await connectKube('test-drift');
  const instances = parseState(readFileSync(stateFile, 'utf8'), 'bench');

  const viaList = async () => {
    const result = await compareStack(instances, new LiveReader(client), { namespaces: NAMESPACES, rules: [] });
    return { inSync: result.counts.inSync, drifted: result.drifted };
  };
  // The straightforward alternative: discovery, then GET every declared object by name (6 in flight, as the LISTs).
  const viaGet = async () => {
    const expected = stateExpectations(instances).objects;
    const kinds = await discoverKinds(client, expected.map((o) => o.apiVersion));
    let inSync = 0;
    const queue = [...expected];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let o = queue.shift(); o; o = queue.shift()) {
          const resource = kinds.get(`${o.apiVersion}/${o.kind}`);
          const live = await getJson(client, `${collectionPath(resource, o.namespace)}/${o.name}`);
          const identity = { apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.namespace, labels: live.metadata.labels ?? {}, annotations: live.metadata.annotations ?? {} };
          const diff = compareObject(o.object, live, ignoredPaths(identity, [], { hpaTargeted: o.kind === 'Deployment' }));
          if (diff.fields.length === 0 && !diff.secretData) inSync++;
        }
      }),
    );
    return { inSync, drifted: inSync !== expected.length };
  };

  const rows = [
    { label: '`foundation drift bulk --state-file <file> --json` (whole CLI process)', samples: [], requests: [] },
    { label: 'in-process: discovery + one paged LIST per kind and namespace, compare (what `drift` does)', samples: [], requests: [] },
    { label: 'in-process: discovery + one GET per object, compare (baseline)', samples: [], requests: [] },
  ];
  const timed = async (row, fn) => {
    const before = server.requests.length;
    const started = performance.now();
    const outcome = await fn();
    row.samples.push(performance.now() - started);
    row.requests.push(server.requests.length - before);
    return outcome;
  };
  log('warm-up: one untimed in-process LIST run (the GET baseline warms up on its first few hundred requests)');
  await viaList();
  for (let r = 0; r < runs; r++) {
    log(`run ${r + 1}/${runs}`);
    // rotate the order each round so machine noise falls on every row alike
    const order = [0, 1, 2].map((i) => (i + r) % 3);
    for (const i of order) {
      if (i === 0) {
        const result = await timed(rows[0], () => runCliOnce(['drift', 'bulk', '--state-file', stateFile, '--json'], { cwd: project, env }));
        const report = JSON.parse(result.stdout || '{}');
        if (result.code !== 0 || report.stacks?.[0]?.counts?.inSync !== objects) throw new Error(`drift CLI run failed (exit ${result.code}): ${result.stderr.trim()}`);
      } else {
        const outcome = await timed(rows[i], i === 1 ? viaList : viaGet);
        if (outcome.inSync !== objects) throw new Error(`${rows[i].label}: ${outcome.inSync} of ${objects} in sync`);
      }
    }
  }

  const cpus = os.cpus();
  const results = {
    date: new Date().toISOString(),
    command: `node bench/drift.js --objects ${total} --runs ${runs}`,
    machine: { cpu: `${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores`, memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(2)), os: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version, loadavg: os.loadavg().map((l) => l.toFixed(2)) },
    objects,
    layout: spread,
    rows: rows.map((row) => ({ label: row.label, runs: row.samples.length, medianMs: median(row.samples), minMs: Math.min(...row.samples), maxMs: Math.max(...row.samples), requests: median(row.requests) })),
  };
  const [, list, get] = results.rows;
  results.speedup = get.medianMs / list.medianMs;
  if (options.json) console.log(JSON.stringify(results, null, 2));
  else {
    const out = [
      `Command: \`${results.command}\` (one untimed warm-up of the in-process LIST row, then ${runs} timed runs per row, order rotated each round)`,
      '',
      `- Date: ${results.date}`,
      `- CPU: ${results.machine.cpu}; memory ${results.machine.memoryGiB} GiB`,
      `- OS: ${results.machine.os}; Node: ${results.machine.node}; load average after: ${results.machine.loadavg.join(' / ')}`,
      `- ${objects} objects: ${KINDS.map((k) => `${k} ${NAMESPACES.map((n) => spread[k][n]).join('/')}`).join(', ')} (team-a/team-b/team-c), all declared by kubernetes_manifest resources and all in sync`,
      '',
      '| Read | Runs | Median (ms) | Min (ms) | Max (ms) | Requests to the API |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...results.rows.map((r) => `| ${r.label} | ${r.runs} | ${r.medianMs.toFixed(0)} | ${r.minMs.toFixed(0)} | ${r.maxMs.toFixed(0)} | ${r.requests} |`),
      '',
      `LIST-based read and compare: ${results.speedup.toFixed(1)}× faster than one GET per object (median against median), with ${list.requests} requests instead of ${get.requests}.`,
    ];
    console.log(out.join('\n'));
  }
} finally {
  await cluster?.stop();
}

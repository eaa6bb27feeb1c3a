#!/usr/bin/env node
// foundation drift over many live objects against the test Kubernetes API: wall time and
// request count of the LIST-based read (discovery plus one paged LIST per kind and
// namespace) against the same job done with one GET per object, in one run. What is
// measured and why: bench/README.md, "Drift".
//
//   npm run build && node bench/drift.js                 10,000 objects, 3 timed runs per row
//   node bench/drift.js --objects 2000 --runs 5 --json
//
// The test API (tests/support/kube-api-server.ts) runs in this process over https on
// 127.0.0.1; its TypeScript is transpiled to a temp folder first (typescript's
// transpileModule), since Node 20 does not run .ts. No network but loopback.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleModules } from './bundle.js';
import ts from 'typescript';
import { stringify } from 'yaml';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO_ROOT, 'bin', 'foundation.js');
const KINDS = ['ConfigMap', 'Secret', 'Service', 'Deployment', 'HorizontalPodAutoscaler'];
const NAMESPACES = ['team-a', 'team-b', 'team-c'];
const TOKEN = 'bench-drift-token';

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
const dist = await bundleModules('drift-modules', MODULES);
if (statSync(path.join(REPO_ROOT, 'dist', 'cli.js'), { throwIfNoEntry: false }) === undefined) {
  console.error('error: dist/ is missing; run "npm run build" first');
  process.exit(1);
}

/** Transpiles the test API and the bulk-fixture helper (and what they import) into a temp folder. */
function transpileSupport(into) {
  const files = [
    'tests/support/kube-api-server.ts',
    'tests/support/drift-bulk.ts',
    'tests/support/loopback.ts',
    ...readdirSync(path.join(REPO_ROOT, 'tests/support/kube-api')).filter((f) => f.endsWith('.ts')).map((f) => `tests/support/kube-api/${f}`),
  ];
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(path.join(REPO_ROOT, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: file,
    });
    const out = path.join(into, file.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, outputText);
  }
  writeFileSync(path.join(into, 'package.json'), '{"type":"module"}');
}

/** An even spread of `total` objects over the five kinds, with the first namespace the fullest (so it pages). */
function layout() {
  const perKind = Math.floor(total / KINDS.length);
  const result = {};
  KINDS.forEach((kind, k) => {
    const count = k === KINDS.length - 1 ? total - perKind * (KINDS.length - 1) : perKind;
    const rest = Math.floor((count * 0.6) / 2);
    result[kind] = { 'team-a': count - 2 * rest, 'team-b': rest, 'team-c': rest };
  });
  return result;
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

const work = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-drift-'));
let server;
try {
  log(`transpiling the test API into ${work}`);
  transpileSupport(work);
  const { KubeApiServer } = await import(pathToFileURL(path.join(work, 'tests/support/kube-api-server.js')).href);
  const { seedBulk } = await import(pathToFileURL(path.join(work, 'tests/support/drift-bulk.js')).href);
  server = await new KubeApiServer({ token: TOKEN }).start();
  log(`seeding ${total} objects`);
  const spread = layout();
  const { state, objects } = seedBulk(server, spread);

  // the project (tests/fixtures/drift, stack "bulk": namespaces team-a/b/c), the state file and a kubeconfig
  const project = path.join(work, 'project');
  cpSync(path.join(REPO_ROOT, 'tests/fixtures/drift'), project, { recursive: true });
  const stateFile = path.join(work, 'bulk.tfstate');
  writeFileSync(stateFile, JSON.stringify(state));
  const kubeconfig = path.join(work, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bench', cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'bench', user: { token: TOKEN } }],
      contexts: [{ name: 'test-drift', context: { cluster: 'bench', user: 'bench' } }],
      'current-context': 'test-drift',
    }),
    { mode: 0o600 },
  );
  const env = { ...process.env, ENV: 'dev', KUBECONFIG: kubeconfig, CI: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const name of Object.keys(env)) if (/^(TOFU_BACKEND_|KUBE_CONTEXT|GITHUB_)/.test(name)) delete env[name];
  process.env.KUBECONFIG = kubeconfig;

  // in-process: the same client layer, the same state, the same comparison; only the reads differ
  const { connectKube } = await dist('kube/client.js');
  const { discoverKinds, getJson, collectionPath } = await dist('kube/list.js');
  const { LiveReader } = await dist('drift/live.js');
  const { compareStack } = await dist('drift/stack-drift.js');
  const { compareObject } = await dist('drift/compare.js');
  const { ignoredPaths } = await dist('drift/ignore.js');
  const { parseState } = await dist('drift/state.js');
  const { stateExpectations } = await dist('drift/expected.js');
  const client = await connectKube('test-drift');
  const instances = parseState(JSON.stringify(state), 'bench');

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
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
}

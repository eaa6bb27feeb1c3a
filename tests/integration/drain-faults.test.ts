// The drain guard against an API server on a bad minute: 503s, 429 with Retry-After,
// resets, a restart mid-wait, 410 Gone, hung renewals and a slow server. Each scenario
// checks the exit code, the caps against the originals, the drain records, the Lease,
// whether tofu ran (the state object) and what the operator read (no stack trace).
// After every test, arc-cluster.ts checks that no write left a set at 0/0 without its record.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters, NS, type ArcCluster } from '../support/arc-cluster.js';
import { runCli, spawnCli } from '../support/cli.js';
import { waitFor } from '../support/wait.js';

cleanUpArcClusters();

const SETS = ['nix-baseline', 'docker-baseline', 'dind-baseline'];
const ORIGINAL: Record<string, [number | null, number | null]> = { 'nix-baseline': [1, 10], 'docker-baseline': [2, 8], 'dind-baseline': [0, null] };
const STATE = 'dev/arc-runners/terraform.tfstate';
const RESTORE_PATCH = { method: 'PATCH', path: /\/autoscalingrunnersets\/[^/]+$/, body: '"foundation/drain":null' };
const LEASE_PUT = { method: 'PUT', path: /\/leases\/foundation-drain$/ };

const drained = (cluster: ArcCluster) => SETS.every((s) => cluster.caps(s)[0] === 0 && cluster.caps(s)[1] === 0);
const lease = (cluster: ArcCluster) => cluster.server.get('coordination.k8s.io/v1', 'Lease', NS, 'foundation-drain');
const runnerLists = (cluster: ArcCluster) => cluster.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/ephemeralrunners') && !/watch=(true|1)/.test(r.query));
const runnerWatches = (cluster: ArcCluster) => cluster.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/ephemeralrunners') && /watch=(true|1)/.test(r.query));

/** The revision tofu applied last, from the state object (undefined: tofu never applied). */
async function appliedRevision(cluster: ArcCluster): Promise<string | undefined> {
  const keys = await cluster.s3.keys();
  if (!keys.includes(STATE)) return undefined;
  const state = JSON.parse(await cluster.s3.read(STATE)) as { resources: Array<{ type: string; name: string; instances: Array<{ attributes: { input?: { value?: unknown } } }> }> };
  const marker = state.resources.find((r) => r.type === 'terraform_data' && r.name === 'marker');
  return marker ? String(marker.instances[0]!.attributes.input?.value) : undefined;
}

function expectRestored(cluster: ArcCluster) {
  for (const set of SETS) {
    expect(cluster.caps(set), set).toEqual(ORIGINAL[set]);
    expect(cluster.annotation(set), set).toBeUndefined();
  }
  expect(lease(cluster)).toBeUndefined();
}

function expectNoTrace(stderr: string) {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('looks like a bug');
}

/** A guarded apply (of a marker change) that waits for a busy runner of nix-baseline, started in the background. */
function waitingApply(cluster: ArcCluster, args: string[] = [], env: Record<string, string> = {}) {
  cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'nix-busy', busy: true });
  return spawnCli(['apply', 'arc-runners', '--auto-approve', ...args], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2', ...env } });
}

/** A shell command for the fixture's during_apply: tofu is applying until the test creates `go`. */
function applyGate(cluster: ArcCluster) {
  const started = path.join(cluster.dir, 'applying');
  const go = path.join(cluster.dir, 'go');
  return {
    command: `touch '${started}'; while [ ! -e '${go}' ]; do sleep 0.05; done`,
    started: () => existsSync(started),
    release: () => writeFileSync(go, ''),
  };
}

describe('restore rides out a bad minute', () => {
  it('two 503s, a connection reset and a 429 with Retry-After: 2 on the restore PATCHes: exit 0, every cap restored, no human', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    server.inject({ kind: 'status', code: 503 }, RESTORE_PATCH, { times: 2 });
    server.inject({ kind: 'reset' }, RESTORE_PATCH, { times: 1 });
    server.inject({ kind: 'status', code: 429, retryAfterSeconds: 2, plain: true }, RESTORE_PATCH, { times: 1 });

    const result = await runCli(['apply', 'arc-runners', '--auto-approve'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2' } });
    const output = result.stdout + result.stderr;
    expect(result.exitCode, output).toBe(0);
    expectRestored(cluster);
    expect(await appliedRevision(cluster)).toBe('2');
    expectNoTrace(output);

    const restores = server.requests.filter((r) => r.method === 'PATCH' && r.body.includes('"foundation/drain":null'));
    expect(restores.map((r) => r.fault ?? 'ok').sort()).toEqual(['ok', 'ok', 'ok', 'reset', 'status', 'status', 'status']);
    expect(restores.filter((r) => !r.fault).map((r) => r.path.split('/').at(-1)).sort()).toEqual([...SETS].sort());
    // the 429 is tried again no sooner than its Retry-After
    const limited = restores.filter((r) => r.fault === 'status').at(-1)!;
    const next = restores.find((r) => r.at > limited.at && r.path === limited.path)!;
    expect(next.at - limited.at).toBeGreaterThanOrEqual(2_000);
    expect(output).toMatch(/^restore: arc-runners\/[a-z-]+: HTTP 503; trying again in [\d.]+m?s \(.+ of the 5m restore budget left\)$/m);
    expect(output).toMatch(/^restore: arc-runners\/[a-z-]+: ECONNRESET; trying again in /m);
    expect(output).toMatch(/^restore: arc-runners\/[a-z-]+: HTTP 429; trying again in [2-9][\d.]*s /m);
  });

  it('every request 503 from the apply on: gives up within its budget, names every set left at 0/0 and the repair, keeps the records; drain --restore then restores exactly', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    const gate = applyGate(cluster);
    const child = spawnCli(['apply', 'arc-runners', '--auto-approve', '--restore-budget', '4s'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2', TF_VAR_during_apply: gate.command } });
    await waitFor(gate.started, 'tofu to start applying');
    server.inject({ kind: 'status', code: 503 });
    const downFrom = Date.now();
    gate.release();
    const result = await child;
    const stderr = String(result.stderr);
    const output = String(result.stdout) + stderr;

    expect(result.exitCode, output).toBe(1);
    expect(await appliedRevision(cluster)).toBe('2');
    expect(stderr).toMatch(
      /^error: RESTORE FAILED: 3 scale sets of arc-runners still at 0\/0, with their drain records: arc-runners\/nix-baseline, arc-runners\/docker-baseline, arc-runners\/dind-baseline \(the restore could not list them within its 4s budget: .*HTTP 503.*\)\nhint: run "foundation drain arc-runners --restore" once the API answers: it puts back exactly the recorded caps\n$/m,
    );
    // the Lease release failed too: said, not in the way of the restore's error, which is the last word
    expect(output).toMatch(/^drain: could not release the drain Lease arc-runners\/foundation-drain \(.*\); it is left to expire 1m after its last renewal/m);
    expect(stderr.trimEnd().split('\n').at(-2)).toMatch(/^error: RESTORE FAILED/);
    expectNoTrace(output);
    // no retry started after the budget ran out (a second's slack for a late timer on a busy machine)
    const retried = server.requests.filter((r) => r.at >= downFrom && r.fault === 'status');
    const firstRestore = retried.find((r) => r.path.endsWith('/autoscalingrunnersets'))!;
    expect(retried.filter((r) => r.path.endsWith('/autoscalingrunnersets')).every((r) => r.at - firstRestore.at <= 4_000 + 1_000)).toBe(true);
    for (const set of SETS) {
      expect(cluster.caps(set)).toEqual([0, 0]);
      expect(JSON.parse(cluster.annotation(set)!)).toMatchObject({ stack: 'arc-runners', minRunners: ORIGINAL[set]![0], maxRunners: ORIGINAL[set]![1] });
    }

    server.clearFaults();
    const restore = await runCli(['drain', 'arc-runners', '--restore'], { cwd: cluster.dir, env: cluster.env });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('arc-runners: restored 3 scale sets');
    expectRestored(cluster);
    const again = await runCli(['drain', 'arc-runners', '--restore'], { cwd: cluster.dir, env: cluster.env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('arc-runners: no scale set carries a drain record; nothing to restore');
  });
});

describe('the wait for busy runners rides out a restart', () => {
  it('an API server restart (watch cut, 3 s of resets) and then 410 Gone on the next watch: the wait goes on, the finished runner is noticed, exit 0', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    const child = waitingApply(cluster);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('drain: waiting for 1 busy runner'), 'the drain to wait');
    await waitFor(() => runnerWatches(cluster).length === 1, 'the watch');

    server.inject({ kind: 'gone-event' }, { watch: true }, { times: 1 });
    const listsBefore = runnerLists(cluster).length;
    server.restart(3_000);
    await waitFor(() => server.requests.some((r) => r.fault === 'gone-event'), 'the 410 on the first watch after the restart', 30_000);
    const listsDuringOutage = runnerLists(cluster).length - listsBefore;
    await waitFor(() => runnerWatches(cluster).filter((r) => !r.fault).length >= 2, 'a new watch after the 410', 30_000);
    server.finishJob(NS, 'nix-busy');

    const result = await child;
    expect(result.exitCode, output).toBe(0);
    expectRestored(cluster);
    expect(await appliedRevision(cluster)).toBe('2');
    expect(output).toMatch(/^drain: the Kubernetes API did not answer \(ECONNRESET\); looking again in [\d.]+m?s \(no answer for [\d.]+m?s of the 3m allowed\)$/m);
    expect(output).toContain('drain: no busy runners left');
    expectNoTrace(output);
    // a few LISTs while it was down, not a hot loop
    expect(listsDuringOutage).toBeGreaterThanOrEqual(1);
    expect(listsDuringOutage).toBeLessThanOrEqual(6);
  });

  it('a watch that keeps failing for 3 s is retried with backoff (the LISTs are counted: no hot loop), and the wait completes', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    server.addRunner({ namespace: NS, scaleSet: 'docker-baseline', name: 'docker-busy', busy: true });
    const child = spawnCli(['apply', 'arc-runners', '--auto-approve'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2' } });
    await waitFor(() => runnerWatches(cluster).length === 1, 'the first watch');
    const listsBefore = runnerLists(cluster).length;
    server.inject({ kind: 'status', code: 503 }, { watch: true }, { forMs: 3_000 });
    server.cutWatches(); // the next watches meet the failures
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const lists = runnerLists(cluster).length - listsBefore;
    const failedWatches = runnerWatches(cluster).filter((r) => r.fault === 'status').length;
    server.finishJob(NS, 'docker-busy');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expectRestored(cluster);
    expect(failedWatches).toBeGreaterThanOrEqual(1);
    expect(lists).toBeGreaterThanOrEqual(1);
    expect(lists).toBeLessThanOrEqual(5);
    expect(String(result.stdout) + String(result.stderr)).toMatch(/drain: the Kubernetes API did not answer \(HTTP 503\); looking again in /);
  });

  it('an outage longer than --api-outage: the wait gives up (exit 3), restores once the API answers, tofu never ran', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    const child = waitingApply(cluster, ['--api-outage', '2s']);
    await waitFor(() => runnerWatches(cluster).length === 1, 'the watch');
    // every runner LIST and WATCH fails for a while; the restore's own requests get through
    const stopFailing = server.inject({ kind: 'status', code: 503 }, { path: /\/ephemeralrunner(set)?s$/ });
    server.cutWatches();
    const result = await child;
    stopFailing();
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(String(result.stderr)).toMatch(/^error: the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ stopped answering while arc-runners waited for busy runners \(HTTP 503; no answer for [\d.]+s\); scale sets restored, tofu apply not run$/m);
    expectRestored(cluster);
    expect(await appliedRevision(cluster)).toBeUndefined();
  });
});

describe('renewals with a deadline', () => {
  const LEASE_SECONDS = 6;

  it('a renewal that hangs past the renew deadline before tofu starts: exit 3 before the Lease could expire for others, caps restored, tofu not run', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    const child = waitingApply(cluster, [], { FOUNDATION_DRAIN_LEASE_SECONDS: String(LEASE_SECONDS) });
    await waitFor(() => drained(cluster) && runnerWatches(cluster).length === 1, 'the drain to wait');
    server.inject({ kind: 'hang' }, LEASE_PUT);
    const result = await child;
    const stderr = String(result.stderr);

    expect(result.exitCode, stderr).toBe(3);
    expect(stderr).toMatch(/^error: lost the drain Lease while draining arc-runners: the Lease arc-runners\/foundation-drain could not be renewed for \d+s, past its 4s renew deadline .*; the scale sets this run drained are restored, tofu apply not run$/m);
    expect(await appliedRevision(cluster)).toBeUndefined();
    for (const set of SETS) {
      expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
      expect(cluster.annotation(set)).toBeUndefined();
    }
    // the run stopped acting before its Lease could have expired for anyone else
    const renewedAt = server.requests.filter((r) => r.method === 'PUT' && LEASE_PUT.path.test(r.path) && !r.fault).at(-1)?.at ?? server.requests.find((r) => r.method === 'POST' && r.path.endsWith('/leases'))!.at;
    const restores = server.requests.filter((r) => r.method === 'PATCH' && r.body.includes('"foundation/drain":null'));
    expect(restores).toHaveLength(3);
    for (const restore of restores) expect(restore.at).toBeLessThan(renewedAt + LEASE_SECONDS * 1000);
    expectNoTrace(stderr);
  });

  it('three failed renewals inside the deadline: the run keeps its Lease and completes', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    const child = waitingApply(cluster, [], { FOUNDATION_DRAIN_LEASE_SECONDS: String(LEASE_SECONDS) });
    await waitFor(() => drained(cluster) && runnerWatches(cluster).length === 1, 'the drain to wait');
    server.inject({ kind: 'status', code: 503 }, LEASE_PUT, { times: 1 });
    server.inject({ kind: 'reset' }, LEASE_PUT, { times: 1 });
    server.inject({ kind: 'status', code: 500 }, LEASE_PUT, { times: 1 });
    const renewals = () => server.requests.filter((r) => r.method === 'PUT' && LEASE_PUT.path.test(r.path));
    await waitFor(() => renewals().filter((r) => !r.fault).length >= 1 && renewals().filter((r) => r.fault).length === 3, 'three failed renewals, then one that works', 30_000);
    server.finishJob(NS, 'nix-busy');
    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stderr)).not.toContain('lost the drain Lease');
    expect(await appliedRevision(cluster)).toBe('2');
    expectRestored(cluster);
  });
});

describe('answers lost on the way', () => {
  it('the Lease create and a renewal carried out but their answers lost: the retries find the Lease ours, the run completes', async () => {
    const cluster = await arcCluster();
    const { server } = cluster;
    server.inject({ kind: 'lose-answer' }, { method: 'POST', path: /\/leases$/ }, { times: 1 });
    server.inject({ kind: 'lose-answer' }, LEASE_PUT, { times: 1 });
    const child = waitingApply(cluster, [], { FOUNDATION_DRAIN_LEASE_SECONDS: '6' });
    const renewals = () => server.requests.filter((r) => r.method === 'PUT' && LEASE_PUT.path.test(r.path));
    await waitFor(() => renewals().filter((r) => !r.fault).length >= 1, 'a renewal after the lost one', 30_000);
    server.finishJob(NS, 'nix-busy');
    const result = await child;
    expect(result.exitCode, String(result.stdout) + String(result.stderr)).toBe(0);
    expect(String(result.stderr)).not.toContain('lost the drain Lease');
    // the create landed once; its retry met AlreadyExists and found the Lease naming this run
    expect(server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/leases')).map((r) => r.fault)).toEqual(['lose-answer', undefined]);
    expect(await appliedRevision(cluster)).toBe('2');
    expectRestored(cluster);
  });
});

describe('a slow API server', () => {
  it('every request slowed by 3 s: the guarded apply still succeeds', async () => {
    const cluster = await arcCluster();
    // The first apply creates the fixture's Helm stand-in resource (kubectl calls of its own); the slow one changes a marker only.
    expect((await runCli(['apply', 'arc-runners', '--auto-approve'], { cwd: cluster.dir, env: cluster.env })).exitCode).toBe(0);
    cluster.server.inject({ kind: 'delay', ms: 3_000 });
    const result = await runCli(['apply', 'arc-runners', '--auto-approve'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await appliedRevision(cluster)).toBe('2');
    expectRestored(cluster);
    expectNoTrace(result.stderr);
  }, 240_000);
});

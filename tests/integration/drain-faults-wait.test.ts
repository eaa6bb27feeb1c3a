// The drain guard's wait and Lease against an API server on a bad minute: a restart
// mid-wait, 410 Gone, a watch that keeps failing, an outage past --api-outage, hung and
// failing renewals, answers lost on the way. Checked as in drain-faults-restore.test.ts.
import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters, NS } from '../support/arc-cluster.js';
import { spawnCli } from '../support/cli.js';
import { SETS, ORIGINAL, LEASE_PUT, drained, runnerLists, runnerWatches, appliedRevision, expectRestored, expectNoTrace, waitingApply } from '../support/guarded-apply.js';
import { waitFor } from '../support/wait.js';

cleanUpArcClusters();

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

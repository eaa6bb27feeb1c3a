// The drain guard's restore against an API server on a bad minute: 503s, a 429 with
// Retry-After, resets, and an API down for longer than the restore budget.
// Each scenario checks the exit code, the caps against the originals, the drain records, the
// Lease, whether tofu ran (the state object) and what the operator read (no stack trace).
// After every test, arc-cluster.ts checks that no write left a set at 0/0 without its record.
import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters } from '../support/arc-cluster.js';
import { runCli, spawnCli } from '../support/cli.js';
import { SETS, ORIGINAL, RESTORE_PATCH, appliedRevision, expectRestored, expectNoTrace, applyGate } from '../support/guarded-apply.js';
import { waitFor } from '../support/wait.js';

cleanUpArcClusters();

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

// The drain guard against a slow API server: every request answered 3 s late. Its own file,
// so its minute of waiting overlaps the other test files.
import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters } from '../support/arc-cluster.js';
import { runCli } from '../support/cli.js';
import { appliedRevision, expectNoTrace, expectRestored } from '../support/guarded-apply.js';

cleanUpArcClusters();

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

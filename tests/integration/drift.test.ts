import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanUpDriftClusters, driftCluster } from '../support/drift-cluster.js';

cleanUpDriftClusters();

describe('foundation drift', () => {
  it('with nothing changed: exit 0, nothing changed, missing or unmanaged', async () => {
    const cluster = await driftCluster();
    const result = await runCli(['drift', 'web', 'runners', '--json', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    console.log(result.stdout, result.stderr);
    expect(result.exitCode).toBe(0);
  });
});

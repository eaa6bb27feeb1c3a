// Restore finds what the drain recorded, not what the stack file selects today; runners
// are matched to scale sets by their owner chain, not by a label.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters, NS, type ArcCluster } from '../support/arc-cluster.js';
import { REPO_ROOT, runCli, spawnCli } from '../support/cli.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { waitFor } from '../support/wait.js';

cleanUpArcClusters();

const ARC = 'actions.github.com/v1alpha1';
const SETS = ['nix-baseline', 'docker-baseline', 'dind-baseline'];
const ORIGINAL: Record<string, [number | null, number | null]> = { 'nix-baseline': [1, 10], 'docker-baseline': [2, 8], 'dind-baseline': [0, null] };
const LANE = 'foundation/lane';

const drained = (cluster: ArcCluster) => SETS.every((s) => cluster.caps(s)[0] === 0 && cluster.caps(s)[1] === 0);
const exists = (cluster: ArcCluster, name: string) => cluster.server.get(ARC, 'AutoscalingRunnerSet', NS, name) !== undefined;
const kubectl = (cluster: ArcCluster) => `kubectl --cache-dir "$(mktemp -d)" --kubeconfig '${cluster.kubeconfig}'`;

/** Switches the copied fixture to the selector form and labels the three scale sets for it. */
function useSelector(cluster: ArcCluster): void {
  const file = path.join(cluster.dir, 'stacks/arc-runners/stack.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/scaleSets: \[.*\]/, `selector: ${LANE}=baseline`));
  for (const name of SETS) {
    const set = cluster.server.get(ARC, 'AutoscalingRunnerSet', NS, name)!;
    cluster.server.put({ ...set, metadata: { ...set.metadata, labels: { ...set.metadata.labels, [LANE]: 'baseline' } } });
  }
}

interface Change {
  name: string;
  selector: boolean;
  /** A shell command, as the chart upgrade would do it while tofu applies. */
  during(cluster: ArcCluster): string;
  /** After the scale sets: [name, expected caps] still there. */
  remaining: Array<[string, [number | null, number | null]]>;
  gone?: string;
}

const changes: Change[] = [
  {
    name: 'a scale set relabelled (the selector no longer matches it)',
    selector: true,
    during: (c) => `${kubectl(c)} label autoscalingrunnerset docker-baseline -n ${NS} ${LANE}=chart-v2 --overwrite`,
    remaining: SETS.map((s) => [s, ORIGINAL[s]!]),
  },
  {
    name: 'a scale set renamed (a copy under the new name, the old one deleted)',
    selector: false,
    during: (c) => `KUBECONFIG='${c.kubeconfig}' node '${path.join(REPO_ROOT, 'tests/support/rename-scale-set.mjs')}' ${NS} docker-baseline docker-baseline-v2`,
    remaining: [['nix-baseline', [1, 10]], ['docker-baseline-v2', [2, 8]], ['dind-baseline', [0, null]]],
    gone: 'docker-baseline',
  },
  {
    name: 'a named scale set deleted',
    selector: false,
    during: (c) => `${kubectl(c)} delete autoscalingrunnerset dind-baseline -n ${NS}`,
    remaining: [['nix-baseline', [1, 10]], ['docker-baseline', [2, 8]]],
    gone: 'dind-baseline',
  },
];

function expectRestored(cluster: ArcCluster, change: Change, output: string): void {
  if (change.selector) expect(cluster.server.get(ARC, 'AutoscalingRunnerSet', NS, 'docker-baseline')!.metadata.labels?.[LANE]).toBe('chart-v2');
  for (const [name, caps] of change.remaining) {
    expect(cluster.caps(name), name).toEqual(caps);
    expect(cluster.annotation(name), name).toBeUndefined();
  }
  if (change.gone) {
    expect(exists(cluster, change.gone)).toBe(false);
    if (change.selector === false && SETS.includes(change.gone)) expect(output).toContain(`restore: ${NS}/${change.gone} no longer exists; nothing to restore there`);
  }
}

describe('restore after the scale sets changed during the apply', () => {
  for (const change of changes) {
    it(`${change.name}: every remaining scale set is back at its originals`, async () => {
      const cluster = await arcCluster();
      if (change.selector) useSelector(cluster);
      const result = await runCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_during_apply: change.during(cluster) } });
      expect(JSON.parse(result.stdout).stacks[0], result.stderr).toMatchObject({ stack: 'arc-runners', status: 'applied' });
      expectRestored(cluster, change, result.stderr);
      expect(cluster.server.list('coordination.k8s.io/v1', 'leases', NS)).toEqual([]);
    });

    it(`${change.name} after a crash: drain --restore restores every remaining scale set`, async () => {
      const cluster = await arcCluster();
      if (change.selector) useSelector(cluster);
      cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'nix-busy', busy: true });
      const child = spawnCli(['drain', 'arc-runners'], { cwd: cluster.dir, env: cluster.env });
      await waitFor(() => drained(cluster), 'the scale sets to be drained');
      child.kill('SIGKILL');
      await child;
      await execa('sh', ['-c', change.during(cluster)]);

      const restore = await runCli(['drain', 'arc-runners', '--restore'], { cwd: cluster.dir, env: cluster.env });
      expect(restore.exitCode, restore.stderr).toBe(0);
      expect(restore.stdout).toContain(`arc-runners: restored ${change.remaining.length} scale sets`);
      expectRestored(cluster, change, restore.stdout);
    });
  }
});

describe('runners matched to their scale set by ownership', () => {
  it('a busy runner whose labels name another scale set, but whose owner chain names a drained one, holds the drain until it finishes', async () => {
    const cluster = await arcCluster();
    cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'odd-labels', busy: true, labels: { 'actions.github.com/scale-set-name': 'nix-lane' } });
    const recorder = tofuRecorder();
    const child = spawnCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: { ...cluster.env, FOUNDATION_TOFU_BIN: recorder.bin } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor(() => stderr.includes('drain: waiting for 1 busy runner: nix-baseline 1'), 'the busy runner to hold the drain');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(recorder.calls().some((c) => c.argv[0] === 'apply')).toBe(false);

    cluster.server.finishJob(NS, 'odd-labels');
    const result = await child;
    expect(JSON.parse(String(result.stdout)).stacks[0].status, stderr).toBe('applied');
    expect(recorder.calls().some((c) => c.argv[0] === 'apply')).toBe(true);
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
  });

  it('a busy runner of another scale set carrying a drained set\'s label does not hold the drain', async () => {
    const cluster = await arcCluster();
    cluster.server.addScaleSet({ namespace: NS, name: 'heavy-lane', min: 0, max: 2 });
    cluster.server.addRunner({ namespace: NS, scaleSet: 'heavy-lane', name: 'heavy-busy', busy: true, labels: { 'actions.github.com/scale-set-name': 'nix-baseline' } });
    const result = await runCli(['drain', 'arc-runners', '--drain-timeout', '5s'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('drain: no busy runners left');
  });
});

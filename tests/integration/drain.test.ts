import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters, NS, type ArcCluster } from '../support/arc-cluster.js';
import { runCli, spawnCli } from '../support/cli.js';
import { latestRelease } from '../support/helm-release.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { waitFor } from '../support/wait.js';

cleanUpArcClusters();

const SETS = ['nix-baseline', 'docker-baseline', 'dind-baseline'];
const ORIGINAL: Record<string, [number | null, number | null]> = { 'nix-baseline': [1, 10], 'docker-baseline': [2, 8], 'dind-baseline': [0, null] };

function addRunners(cluster: ArcCluster) {
  cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'nix-busy', busy: true });
  cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'nix-idle', busy: false });
  cluster.server.addRunner({ namespace: NS, scaleSet: 'docker-baseline', name: 'docker-busy', busy: true, legacy: true });
  cluster.server.addRunner({ namespace: NS, scaleSet: 'dind-baseline', name: 'dind-idle', busy: false });
}

const drained = (cluster: ArcCluster) => SETS.every((s) => cluster.caps(s)[0] === 0 && cluster.caps(s)[1] === 0);
const leases = (cluster: ArcCluster) => cluster.server.list('coordination.k8s.io/v1', 'leases', NS);

describe('the ARC drain guard on apply', () => {
  it('drains, waits for busy runners, applies, and restores the desired caps', async () => {
    const cluster = await arcCluster();
    addRunners(cluster);
    const recorder = tofuRecorder();
    const child = spawnCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_nix_max: '20', FOUNDATION_TOFU_BIN: recorder.bin } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    await waitFor(() => drained(cluster), 'the scale sets to be drained');
    expect(leases(cluster)).toHaveLength(1);
    // originals recorded on each scale set before its caps went to 0
    expect(JSON.parse(cluster.annotation('docker-baseline')!)).toMatchObject({ minRunners: 2, maxRunners: 8, stack: 'arc-runners', release: { name: 'docker-baseline', namespace: NS, revision: 1 } });
    expect(JSON.parse(cluster.annotation('dind-baseline')!)).toMatchObject({ minRunners: 0, maxRunners: null });
    await waitFor(() => stderr.includes('drain: waiting for 2 busy runners'), 'the busy-runner progress');

    // jobs still running: tofu apply must not have started
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(recorder.calls().some((c) => c.argv[0] === 'apply')).toBe(false);
    cluster.server.finishJob(NS, 'nix-busy');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorder.calls().some((c) => c.argv[0] === 'apply')).toBe(false);
    cluster.server.finishJob(NS, 'docker-busy');

    const result = await child;
    expect(result.exitCode, stderr).toBe(0);
    expect(JSON.parse(String(result.stdout)).stacks[0]).toMatchObject({ stack: 'arc-runners', status: 'applied' });
    // the apply changed nix-baseline's release (max 10 -> 20): its new caps; the others: the recorded originals
    expect(latestRelease(cluster.server, NS, 'nix-baseline')!.revision).toBe(2);
    expect(cluster.caps('nix-baseline')).toEqual([1, 20]);
    expect(cluster.caps('docker-baseline')).toEqual(ORIGINAL['docker-baseline']);
    expect(cluster.caps('dind-baseline')).toEqual(ORIGINAL['dind-baseline']);
    for (const set of SETS) expect(cluster.annotation(set)).toBeUndefined();
    expect(leases(cluster)).toEqual([]);
    expect(stderr).toContain('restore: arc-runners/nix-baseline caps -> 1/20 (Helm release nix-baseline revision 2)');
    expect(stderr).toContain('restore: arc-runners/docker-baseline caps -> 2/8 (recorded originals)');
    // it watched for the jobs to finish instead of polling: one LIST, then a WATCH from its resourceVersion
    const runnerReads = cluster.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/ephemeralrunners'));
    expect(runnerReads.filter((r) => !/watch=(true|1)/.test(r.query))).toHaveLength(1);
    expect(runnerReads.filter((r) => /watch=(true|1)/.test(r.query) && /resourceVersion=\d+/.test(r.query))).toHaveLength(1);
  });

  it('a plan with no changes touches no scale set and takes no Lease', async () => {
    const cluster = await arcCluster();
    expect((await runCli(['apply', 'arc-runners', '--auto-approve'], { cwd: cluster.dir, env: cluster.env })).exitCode).toBe(0);
    addRunners(cluster);
    const before = cluster.server.requests.length;
    const again = await runCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: cluster.env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).stacks[0].status).toBe('no-changes');
    const during = cluster.server.requests.slice(before);
    expect(during.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(during.some((r) => r.path.includes('/leases'))).toBe(false);
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
  });

  it('times out while runners stay busy: exit 3, no tofu apply, caps restored', async () => {
    const cluster = await arcCluster();
    addRunners(cluster);
    const recorder = tofuRecorder();
    const result = await runCli(['apply', 'arc-runners', '--auto-approve', '--drain-timeout', '2s'], { cwd: cluster.dir, env: { ...cluster.env, FOUNDATION_TOFU_BIN: recorder.bin } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^error: drain of arc-runners timed out after 2s with runners still busy; scale sets restored, tofu apply not run\nhint: /m);
    expect(recorder.calls().map((c) => c.argv[0])).not.toContain('apply');
    for (const set of SETS) {
      expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
      expect(cluster.annotation(set)).toBeUndefined();
    }
    expect(leases(cluster)).toEqual([]);
  });

  it('refuses (exit 3) and touches nothing when the job runs on a runner it would drain', async () => {
    const cluster = await arcCluster();
    addRunners(cluster);
    const result = await runCli(['apply', 'arc-runners', '--auto-approve'], { cwd: cluster.dir, env: { ...cluster.env, RUNNER_NAME: 'nix-busy' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^error: this job runs on runner nix-busy of scale set nix-baseline, which the apply of arc-runners would drain\n/m);
    expect(cluster.writes()).toEqual([]);
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);

    // a runner of another scale set is fine: the drain goes ahead (and here times out on the busy runners)
    cluster.server.addRunner({ namespace: NS, scaleSet: 'other-lane', name: 'heavy-1', busy: true });
    const elsewhere = await runCli(['apply', 'arc-runners', '--auto-approve', '--drain-timeout', '1s'], { cwd: cluster.dir, env: { ...cluster.env, RUNNER_NAME: 'heavy-1' } });
    expect(elsewhere.stderr).not.toContain('this job runs on runner');
    expect(elsewhere.stderr).toContain('error: drain of arc-runners timed out after 1s');
  });

  it('--skip-drain is refused in CI unless FOUNDATION_ALLOW_SKIP_DRAIN=1, and warns loudly', async () => {
    const cluster = await arcCluster();
    const refused = await runCli(['apply', 'arc-runners', '--auto-approve', '--skip-drain'], { cwd: cluster.dir, env: { ...cluster.env, CI: 'true' } });
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toMatch(/^error: --skip-drain is refused in CI\n/);
    const allowed = await runCli(['apply', 'arc-runners', '--auto-approve', '--skip-drain'], { cwd: cluster.dir, env: { ...cluster.env, CI: 'true', FOUNDATION_ALLOW_SKIP_DRAIN: '1' } });
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain('WARNING: --skip-drain: the ARC scale sets are NOT drained');
    // only the Helm stand-in's own upgrade patched a scale set: no drain record, no Lease
    expect(cluster.server.requests.filter((r) => r.body.includes('foundation/drain') || r.path.includes('/leases'))).toEqual([]);
    expect(cluster.caps('docker-baseline')).toEqual(ORIGINAL['docker-baseline']);
  });
});

describe('foundation drain by hand', () => {
  it('a crash (SIGKILL) mid-drain is repaired by drain --restore, exactly', async () => {
    const cluster = await arcCluster();
    addRunners(cluster);
    const child = spawnCli(['drain', 'arc-runners'], { cwd: cluster.dir, env: cluster.env });
    await waitFor(() => drained(cluster), 'the scale sets to be drained');
    child.kill('SIGKILL');
    await child;
    expect(leases(cluster)).toHaveLength(1); // left behind by the dead process

    const status = await runCli(['drain', 'arc-runners', '--status', '--json'], { cwd: cluster.dir, env: cluster.env });
    const shown = JSON.parse(status.stdout);
    expect(shown.scaleSets.find((s: { name: string }) => s.name === 'nix-baseline')).toMatchObject({ minRunners: 0, maxRunners: 0, runners: 2, busyRunners: 1, drain: { minRunners: 1, maxRunners: 10 } });
    expect(shown.lease.stale).toBe(true);

    const restore = await runCli(['drain', 'arc-runners', '--restore'], { cwd: cluster.dir, env: cluster.env });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('arc-runners: restored 3 scale sets');
    for (const set of SETS) {
      expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
      expect(cluster.annotation(set)).toBeUndefined();
    }
    expect(leases(cluster)).toEqual([]);
  });

  it('two drains at once: one refuses, and the recorded originals survive', async () => {
    const cluster = await arcCluster();
    addRunners(cluster);
    const first = spawnCli(['drain', 'arc-runners', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    const second = spawnCli(['drain', 'arc-runners', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    const loser = await Promise.race([first.then(() => 'first'), second.then(() => 'second')]);
    const refused = await (loser === 'first' ? first : second);
    expect(refused.exitCode).toBe(3);
    expect(String(refused.stderr)).toMatch(/^error: another drain holds the Lease arc-runners\/foundation-drain \(holder .+\); it did not expire within the 1s --lease-wait\n/);

    await waitFor(() => drained(cluster), 'the other drain to drain');
    for (const set of SETS) {
      const record = JSON.parse(cluster.annotation(set)!);
      expect([record.minRunners, record.maxRunners]).toEqual(ORIGINAL[set]);
    }
    cluster.server.finishJob(NS, 'nix-busy');
    cluster.server.finishJob(NS, 'docker-busy');
    const winner = await (loser === 'first' ? second : first);
    expect(winner.exitCode, String(winner.stderr)).toBe(0);
    expect(String(winner.stdout)).toContain('arc-runners: drained; the scale sets stay at 0');
    expect(drained(cluster)).toBe(true);

    // a drain over already-drained scale sets keeps the true originals, not the zeros
    const again = await runCli(['drain', 'arc-runners'], { cwd: cluster.dir, env: cluster.env });
    expect(again.exitCode).toBe(0);
    expect(await runCli(['drain', 'arc-runners', '--restore'], { cwd: cluster.dir, env: cluster.env })).toMatchObject({ exitCode: 0 });
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
  });

  it('--status shows caps, runners, busy runners and the lease', async () => {
    const cluster = await arcCluster();
    addRunners(cluster);
    const status = await runCli(['drain', 'arc-runners', '--status'], { cwd: cluster.dir, env: cluster.env });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toContain('arc-runners: namespace arc-runners, context test-arc\ndrain lease: free\n');
    expect(status.stdout).toMatch(/^nix-baseline +1\/10 +- +\d+ +2 +1 +no$/m);
    expect(status.stdout).toMatch(/^docker-baseline +2\/8 +- +\d+ +1 +1 +no$/m);
    expect(status.stdout).toMatch(/^dind-baseline +0\/- +- +\d+ +1 +0 +no$/m);

    // mid-drain: the Lease (holder, age, expiry) and each set's recorded originals next to its current caps
    const child = spawnCli(['drain', 'arc-runners'], { cwd: cluster.dir, env: cluster.env });
    await waitFor(() => drained(cluster), 'the scale sets to be drained');
    const during = await runCli(['drain', 'arc-runners', '--status'], { cwd: cluster.dir, env: cluster.env });
    expect(during.stdout).toMatch(/^drain lease: held by \S+ pid=\d+ start=\d+ boot=\S+ pidns=\d+ run=[0-9a-f]{6}, age \d+s, expires in \d+s by its holder's clock$/m);
    expect(during.stdout).toMatch(/^nix-baseline +0\/0 +1\/10 +\d+ +2 +1 +at \S+ by \S+ pid=/m);
    const json = JSON.parse((await runCli(['drain', 'arc-runners', '--status', '--json'], { cwd: cluster.dir, env: cluster.env })).stdout);
    expect(json.lease).toMatchObject({ leaseDurationSeconds: 60, ageSeconds: expect.any(Number), expiresInSeconds: expect.any(Number), stale: false });
    expect(json.lease.renewTime).toMatch(/\.\d{6}Z$/);
    process.kill(child.pid!, 'SIGTERM'); // not execa's kill(): it SIGKILLs 5 s later
    await child;
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
  });
});

describe('drain: bad input, one line, exit 1, nothing changed', () => {
  async function expectRejected(cluster: ArcCluster, args: string[], env: Record<string, string>, message: RegExp) {
    const result = await runCli(args, { cwd: cluster.dir, env: { ...cluster.env, ...env } });
    expect(result.exitCode, result.stderr).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(message);
    expect(lines[1]).toMatch(/^hint: /);
    expect(cluster.writes()).toEqual([]);
  }

  it('a kube context that does not exist', async () => {
    const cluster = await arcCluster();
    await expectRejected(cluster, ['apply', 'arc-runners', '--auto-approve'], { KUBE_CONTEXT: 'honey' }, /^error: kube context "honey" does not exist in .+kubeconfig$/);
  });

  it('an unreachable API', async () => {
    const cluster = await arcCluster();
    const url = cluster.server.url;
    await cluster.server.stop();
    const result = await runCli(['drain', 'arc-runners', '--status'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: the Kubernetes API at ${url.replace(/\./g, '\\.')} \\(context test-arc\\) is unreachable \\(ECONNREFUSED\\)\\nhint: `));
  });

  it('the ARC CRDs not installed', async () => {
    const cluster = await arcCluster({ arcCrds: false });
    await expectRejected(cluster, ['drain', 'arc-runners'], {}, /^error: the ARC CRDs \(actions\.github\.com\/v1alpha1\) are not installed in context test-arc$/);
  });

  it('a named scale set that does not exist', async () => {
    const cluster = await arcCluster();
    cluster.server.remove('actions.github.com/v1alpha1', 'autoscalingrunnersets', NS, 'dind-baseline');
    await expectRejected(cluster, ['apply', 'arc-runners', '--auto-approve'], {}, /^error: AutoscalingRunnerSet dind-baseline not found in namespace arc-runners$/);
  });
});

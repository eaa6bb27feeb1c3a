// The drain Lease against a test API as strict as a real one: MicroTime timestamps,
// renewal on the resourceVersion, expiry by local observation, and who may take over.
import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { arcCluster, cleanUpArcClusters, NS, type ArcCluster } from '../support/arc-cluster.js';
import { runCli, spawnCli } from '../support/cli.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { waitFor } from '../support/wait.js';

cleanUpArcClusters();

const LEASE = 'coordination.k8s.io/v1';
const SETS = ['nix-baseline', 'docker-baseline', 'dind-baseline'];
const ORIGINAL: Record<string, [number | null, number | null]> = { 'nix-baseline': [1, 10], 'docker-baseline': [2, 8], 'dind-baseline': [0, null] };
const MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

const drained = (cluster: ArcCluster) => SETS.every((s) => cluster.caps(s)[0] === 0 && cluster.caps(s)[1] === 0);
const lease = (cluster: ArcCluster) => cluster.server.get(LEASE, 'Lease', NS, 'foundation-drain');
const microNow = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString().replace('Z', '000Z');

/** This machine and PID namespace, the way the guard names a holder. */
const self = {
  host: hostname(),
  boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
  pidns: readlinkSync('/proc/self/ns/pid').replace(/^pid:\[(\d+)\]$/, '$1'),
};

function holder(fields: { host?: string; pid: number; start: string; boot?: string; pidns?: string }): string {
  return `${fields.host ?? self.host} pid=${fields.pid} start=${fields.start} boot=${fields.boot ?? self.boot} pidns=${fields.pidns ?? self.pidns} run=abc123`;
}

/** Another writer's Lease, written straight into the test API. */
function putLease(cluster: ArcCluster, spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime?: string }) {
  cluster.server.put({ apiVersion: LEASE, kind: 'Lease', metadata: { name: 'foundation-drain', namespace: NS }, spec: { acquireTime: microNow(-5_000), renewTime: microNow(), ...spec } });
}

/** A pid that no process has now: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the test API refuses what a real API server refuses', () => {
  it('a Lease with JavaScript-Date (millisecond) times: 400 on create and update, 422 on patch, with the real messages', async () => {
    const cluster = await arcCluster();
    const k8s = await import('@kubernetes/client-node');
    const config = new k8s.KubeConfig();
    config.loadFromFile(cluster.kubeconfig);
    const api = config.makeApiClient(k8s.CoordinationV1Api);
    const failure = async (call: Promise<unknown>) => {
      const error = (await call.then(() => undefined, (e: unknown) => e)) as { code?: number; body?: string } | undefined;
      expect(error, 'the test API accepted it').toBeDefined();
      return { code: error!.code, body: JSON.parse(error!.body!) as { message: string; reason: string } };
    };
    // What the guard sent before: `new Date()`, which the client serializes with milliseconds.
    const created = await failure(api.createNamespacedLease({ namespace: NS, body: { metadata: { name: 'old-style' }, spec: { holderIdentity: 'x', acquireTime: new Date() as never, renewTime: new Date() as never } } }));
    expect(created.code).toBe(400);
    expect(created.body.message).toMatch(/^Lease in version "v1" cannot be handled as a Lease: parsing time "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z" as "2006-01-02T15:04:05\.000000Z07:00": cannot parse "\.\d{3}Z" as "\.000000"$/);

    // The client library's MicroTime is what the server takes.
    const good = await api.createNamespacedLease({ namespace: NS, body: { metadata: { name: 'micro' }, spec: { holderIdentity: 'x', leaseDurationSeconds: 5, renewTime: new k8s.V1MicroTime() } } });
    expect(String(good.spec?.renewTime)).toMatch(MICRO);

    const replaced = await failure(api.replaceNamespacedLease({ name: 'micro', namespace: NS, body: { metadata: { name: 'micro', resourceVersion: good.metadata!.resourceVersion }, spec: { renewTime: new Date() as never } } }));
    expect(replaced.code).toBe(400);
    expect(replaced.body.message).toContain('Lease in version "v1" cannot be handled as a Lease: parsing time');

    const patched = await failure(
      api.patchNamespacedLease({ name: 'micro', namespace: NS, body: { spec: { renewTime: new Date() } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)),
    );
    expect(patched.code).toBe(422);
    expect(patched.body.reason).toBe('Invalid');
    expect(patched.body.message).toMatch(/^ "" is invalid: patch: Invalid value: ".*": parsing time ".*" as "2006-01-02T15:04:05\.000000Z07:00": cannot parse "\.\d{3}Z" as "\.000000"$/);
    expect((cluster.server.get(LEASE, 'Lease', NS, 'micro')!.spec as { renewTime: string }).renewTime).toBe(String(good.spec?.renewTime));
  });
});

describe('the guarded apply with a Lease that renews', () => {
  it('takes, renews (MicroTime, on its resourceVersion) and releases the Lease around a whole guarded apply', async () => {
    const cluster = await arcCluster();
    cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'nix-busy', busy: true });
    const child = spawnCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2', FOUNDATION_DRAIN_LEASE_SECONDS: '3' } });
    await waitFor(() => drained(cluster), 'the scale sets to be drained');
    // a few renewals while the job runs
    await waitFor(() => cluster.server.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/leases/foundation-drain')).length >= 2, 'two renewals', 15_000);
    cluster.server.finishJob(NS, 'nix-busy');
    const result = await child;
    expect(JSON.parse(String(result.stdout)).stacks[0].status, String(result.stderr)).toBe('applied');

    const leaseWrites = cluster.server.requests.filter((r) => r.path.endsWith('/leases') || r.path.endsWith('/leases/foundation-drain'));
    const created = JSON.parse(leaseWrites.find((r) => r.method === 'POST')!.body);
    expect(created.spec).toMatchObject({ leaseDurationSeconds: 3, acquireTime: expect.stringMatching(MICRO), renewTime: expect.stringMatching(MICRO) });
    expect(created.spec.holderIdentity).toMatch(new RegExp(`^${self.host} pid=\\d+ start=\\d+ boot=${self.boot} pidns=${self.pidns} run=[0-9a-f]{6}$`));
    for (const renewal of leaseWrites.filter((r) => r.method === 'PUT')) {
      const body = JSON.parse(renewal.body);
      expect(body.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(body.spec.renewTime).toMatch(MICRO);
      expect(body.spec.holderIdentity).toBe(created.spec.holderIdentity);
    }
    expect(leaseWrites.at(-1)).toMatchObject({ method: 'DELETE' });
    expect(JSON.parse(leaseWrites.at(-1)!.body)).toMatchObject({ preconditions: { resourceVersion: expect.stringMatching(/^\d+$/) } });
    expect(lease(cluster)).toBeUndefined();
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
  });

  it('another writer updates the Lease during the wait: the run aborts, restores, exits 3, applies nothing', async () => {
    const cluster = await arcCluster();
    cluster.server.addRunner({ namespace: NS, scaleSet: 'docker-baseline', name: 'docker-busy', busy: true });
    const recorder = tofuRecorder();
    const child = spawnCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2', FOUNDATION_DRAIN_LEASE_SECONDS: '3', FOUNDATION_TOFU_BIN: recorder.bin } });
    await waitFor(() => drained(cluster), 'the scale sets to be drained');
    const ours = lease(cluster)!;
    cluster.server.put({ ...ours, spec: { ...(ours.spec as object), holderIdentity: 'ci-runner-9 pid=77 start=1 boot=x pidns=1 run=ffffff', renewTime: microNow() } });

    const result = await child;
    expect(result.exitCode, String(result.stderr)).toBe(3);
    expect(JSON.parse(String(result.stdout)).stacks[0]).toMatchObject({
      status: 'refused',
      error: {
        message:
          'lost the drain Lease while draining arc-runners: the Lease arc-runners/foundation-drain was changed by another writer (holder now ci-runner-9 pid=77 start=1 boot=x pidns=1 run=ffffff); the scale sets this run drained are restored, tofu apply not run',
      },
    });
    expect(recorder.calls().map((c) => c.argv[0])).not.toContain('apply');
    for (const set of SETS) {
      expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
      expect(cluster.annotation(set)).toBeUndefined();
    }
    // the other writer's Lease is left alone
    expect((lease(cluster)!.spec as { holderIdentity: string }).holderIdentity).toMatch(/^ci-runner-9 /);
  });
});

describe('the Lease lost while tofu applies', () => {
  it('warns loudly, lets tofu finish, and restores only the scale sets this run recorded', async () => {
    const cluster = await arcCluster();
    cluster.server.addScaleSet({ namespace: NS, name: 'heavy-lane', min: 1, max: 4 });
    const kubectl = `kubectl --cache-dir "$(mktemp -d)" --kubeconfig '${cluster.kubeconfig}' -n ${NS}`;
    const record = JSON.stringify({ minRunners: 1, maxRunners: 4, stack: 'arc-runners', holder: 'other', drainedAt: '2026-11-23T10:00:00.000Z', release: null });
    // Meanwhile another run takes the Lease over and drains a scale set of its own.
    const during = [
      `${kubectl} patch lease foundation-drain --type merge -p '{"spec":{"holderIdentity":"ci-runner-9 pid=77 run=ffffff"}}'`,
      `${kubectl} annotate autoscalingrunnerset heavy-lane 'foundation/drain=${record}'`,
      `${kubectl} patch autoscalingrunnerset heavy-lane --type merge -p '{"spec":{"minRunners":0,"maxRunners":0}}'`,
      'sleep 3',
    ].join(' && ');
    const result = await runCli(['apply', 'arc-runners', '--auto-approve', '--json'], { cwd: cluster.dir, env: { ...cluster.env, FOUNDATION_DRAIN_LEASE_SECONDS: '3', TF_VAR_during_apply: during } });
    expect(JSON.parse(result.stdout).stacks[0], result.stderr).toMatchObject({ status: 'applied' });
    expect(result.stderr).toContain(
      'WARNING: arc-runners: lost the drain Lease during the apply (the Lease arc-runners/foundation-drain was changed by another writer (holder now ci-runner-9 pid=77 run=ffffff)). Another run may drain or restore these scale sets now; when tofu ends, foundation restores only the ones this run drained: nix-baseline, docker-baseline, dind-baseline',
    );
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
    // the other run's drain is untouched, and so is its Lease
    expect(cluster.caps('heavy-lane')).toEqual([0, 0]);
    expect(cluster.annotation('heavy-lane')).toBe(record);
    expect((lease(cluster)!.spec as { holderIdentity: string }).holderIdentity).toBe('ci-runner-9 pid=77 run=ffffff');
  });
});

describe('expiry by local observation', () => {
  it('a Lease renewed "in the future" (skewed clock) still expires after its duration as seen here; --lease-wait 1s gives up with exit 3', async () => {
    const cluster = await arcCluster();
    const other = 'build-host-2 pid=4242 start=99 boot=0f0f0f0f-0000-4000-8000-000000000000 pidns=4026531836 run=0a0b0c';
    putLease(cluster, { holderIdentity: other, leaseDurationSeconds: 3, renewTime: microNow(3_600_000) });

    const impatient = await runCli(['drain', 'arc-runners', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    expect(impatient.exitCode).toBe(3);
    expect(impatient.stderr).toMatch(new RegExp(`^error: another drain holds the Lease arc-runners/foundation-drain \\(holder ${other}\\); it did not expire within the 1s --lease-wait\\nhint: `, 'm'));
    expect(cluster.writes().filter((w) => !w.path.endsWith('/leases'))).toEqual([]); // only the refused create
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);

    // A CI retry on a fresh pod: waits until the record has stood still for 3s here, then drains.
    const started = Date.now();
    const retry = await runCli(['drain', 'arc-runners'], { cwd: cluster.dir, env: cluster.env });
    expect(retry.exitCode, retry.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(retry.stdout).toMatch(/drain: the Lease arc-runners\/foundation-drain is held by build-host-2 .+; unchanged for \d+s of its 3s, waiting up to \d+s more/);
    expect(retry.stdout).toContain('arc-runners: drained');
    expect(drained(cluster)).toBe(true);
  });
});

describe('taking over a Lease whose holder died', () => {
  it('same hostname, another PID namespace: not taken over (the holder may be alive in its container)', async () => {
    const cluster = await arcCluster();
    putLease(cluster, { holderIdentity: holder({ pid: deadPid(), start: '1', pidns: '4026599999' }), leaseDurationSeconds: 60 });
    const result = await runCli(['drain', 'arc-runners', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^error: another drain holds the Lease arc-runners\/foundation-drain \(holder .+ pidns=4026599999 .+\); it did not expire within the 1s --lease-wait$/m);
    for (const set of SETS) expect(cluster.caps(set)).toEqual(ORIGINAL[set]);
  });

  it('same host, boot and PID namespace, the process gone: taken over at once', async () => {
    const cluster = await arcCluster();
    putLease(cluster, { holderIdentity: holder({ pid: deadPid(), start: '12345' }), leaseDurationSeconds: 60 });
    const result = await runCli(['drain', 'arc-runners', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(drained(cluster)).toBe(true);
    expect(lease(cluster)).toBeUndefined();
  });

  it('same host, boot and PID namespace, the pid reused by another process (other start time): taken over at once', async () => {
    const cluster = await arcCluster();
    // this test process is alive, but it is not the holder: it started at another time
    putLease(cluster, { holderIdentity: holder({ pid: process.pid, start: '1' }), leaseDurationSeconds: 60 });
    const result = await runCli(['drain', 'arc-runners', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(drained(cluster)).toBe(true);

    // the same pid with its true start time is alive: refused
    const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]!;
    putLease(cluster, { holderIdentity: holder({ pid: process.pid, start }), leaseDurationSeconds: 60 });
    const live = await runCli(['drain', 'arc-runners', '--restore', '--lease-wait', '1s'], { cwd: cluster.dir, env: cluster.env });
    expect(live.exitCode).toBe(3);
    expect(live.stderr).toContain('error: another drain holds the Lease');
  });
});

// The Helm fixtures: release records in Helm's storage format, scale sets a Helm release
// manages, and the `helm upgrade` stand-in driving the real kubectl against the test API.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addHelmManagedScaleSet,
  decodeHelmRelease,
  encodeHelmRelease,
  helmReleaseSecret,
  latestRelease,
  releaseRevisions,
  scaleSetManifest,
} from '../support/helm-release.js';
import { KubeApiServer, type KubeObject } from '../support/kube-api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

const TOKEN = 'helm-token-5d1c';
const NS = 'arc-runners';
const ARC = 'actions.github.com/v1alpha1';
const STAND_IN = fileURLToPath(new URL('../support/helm-upgrade-stand-in.mjs', import.meta.url));

let api: KubeApiServer;
let dir: string;
let kubeconfig: string;

function upgrade(release: string, args: string[], env: Record<string, string> = {}) {
  return execa('node', [STAND_IN, '--namespace', NS, '--release', release, ...args], { reject: false, env });
}

function scaleSet(name: string): KubeObject {
  const found = api.get(ARC, 'AutoscalingRunnerSet', NS, name);
  if (!found) throw new Error(`no scale set ${name}`);
  return found;
}

function revisions(release: string) {
  return releaseRevisions(api, NS, release).map(({ revision, status, statusLabel }) => ({ revision, status, statusLabel }));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helm-release-support-'));
  api = await new KubeApiServer({ token: TOKEN }).start();
  kubeconfig = await writeKubeconfig(api, { token: TOKEN, context: 'honey', dir });
});

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Helm release records', () => {
  it('round-trips a release through the storage encoding', () => {
    const release = { name: 'nix-baseline', version: 3, config: { maxRunners: 10 }, manifest: '---\n# Source: x\n' };
    const encoded = encodeHelmRelease(release);
    expect(decodeHelmRelease(encoded)).toEqual(release);
    // Kubernetes' base64 around Helm's base64 of gzip: the inner text starts with gzip's magic, "H4sI".
    expect(Buffer.from(encoded, 'base64').toString('latin1')).toMatch(/^H4sI[A-Za-z0-9+/]+=*$/);
    // Records stored before Helm compressed them decode too.
    const legacy = Buffer.from(Buffer.from(JSON.stringify(release)).toString('base64')).toString('base64');
    expect(decodeHelmRelease(legacy)).toEqual(release);
  });

  it('builds the Secret Helm stores a revision in', () => {
    const secret = helmReleaseSecret({ namespace: NS, release: 'gpu', revision: 4, status: 'superseded', manifest: 'm', values: { a: 1 } });
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'helm.sh/release.v1',
      metadata: {
        name: 'sh.helm.release.v1.gpu.v4',
        namespace: NS,
        labels: { owner: 'helm', name: 'gpu', status: 'superseded', version: '4', createdAt: expect.stringMatching(/^\d+$/) },
      },
    });
    const record = decodeHelmRelease((secret.data as { release: string }).release);
    expect(record).toMatchObject({
      name: 'gpu',
      namespace: NS,
      version: 4,
      config: { a: 1 },
      manifest: 'm',
      info: { status: 'superseded', deleted: '0001-01-01T00:00:00Z' },
      chart: { metadata: { name: 'gha-runner-scale-set', version: expect.any(String), appVersion: expect.any(String) } },
    });
    expect(Object.keys(record)).toEqual(['name', 'info', 'chart', 'config', 'manifest', 'version', 'namespace']);
  });

  it('renders the chart with caps only when set, max before min', () => {
    const both = scaleSetManifest({ name: 'linux', namespace: NS, min: 1, max: 10 });
    const documents = both.split(/^---\n/m).slice(1);
    expect(documents.map((d) => /^kind: (\w+)$/m.exec(d)?.[1])).toEqual([
      'ServiceAccount',
      'Secret',
      'Role',
      'RoleBinding',
      'AutoscalingRunnerSet',
    ]);
    for (const doc of documents) expect(doc).toMatch(/^# Source: gha-runner-scale-set\/templates\/\w+\.yaml\n/);
    expect(documents[4]).toMatch(/^ {2}maxRunners: 10\n {2}minRunners: 1\n {2}template:$/m);

    const unlimited = scaleSetManifest({ name: 'linux', namespace: NS, min: 0 });
    expect(unlimited).toContain('  minRunners: 0\n');
    expect(unlimited).not.toContain('maxRunners');
    expect(scaleSetManifest({ name: 'linux', namespace: NS })).not.toMatch(/Runners: /);
  });

  it('stands up a Helm-managed scale set and its first revision', () => {
    addHelmManagedScaleSet(api, { namespace: NS, name: 'fixture', min: 2 });
    const live = scaleSet('fixture');
    expect(live.metadata.annotations).toMatchObject({
      'meta.helm.sh/release-name': 'fixture',
      'meta.helm.sh/release-namespace': NS,
    });
    expect(live.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'Helm' });
    expect(live.spec).toMatchObject({ minRunners: 2 });
    expect(live.spec).not.toHaveProperty('maxRunners');
    expect(latestRelease(api, NS, 'fixture')).toEqual({
      revision: 1,
      status: 'deployed',
      statusLabel: 'deployed',
      manifest: scaleSetManifest({ name: 'fixture', namespace: NS, min: 2 }),
      values: expect.objectContaining({ minRunners: 2 }),
    });
    expect(latestRelease(api, NS, 'fixture')?.values).not.toHaveProperty('maxRunners');
    expect(latestRelease(api, NS, 'no-such-release')).toBeUndefined();
  });
});

describe('the helm upgrade stand-in with the real kubectl', () => {
  it('raises one scale set’s max the way helm upgrade does, leaving drained min and the other set alone', async () => {
    addHelmManagedScaleSet(api, { namespace: NS, name: 'nix-baseline', min: 1, max: 10 });
    addHelmManagedScaleSet(api, { namespace: NS, name: 'nix-large', min: 0, max: 4 });
    const drained = scaleSet('nix-baseline');
    api.put({ ...drained, spec: { ...(drained.spec as object), minRunners: 0 } });
    const other = scaleSet('nix-large');
    const requestsBefore = api.requests.length;

    const result = await upgrade('nix-baseline', ['--max', '20', '--kubeconfig', kubeconfig, '--context', 'honey']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Release "nix-baseline" has been upgraded.');
    expect(result.stdout).toMatch(/STATUS: deployed\nREVISION: 2$/);

    expect(revisions('nix-baseline')).toEqual([
      { revision: 1, status: 'superseded', statusLabel: 'superseded' },
      { revision: 2, status: 'deployed', statusLabel: 'deployed' },
    ]);
    const latest = latestRelease(api, NS, 'nix-baseline')!;
    expect(latest.manifest).toContain('  maxRunners: 20\n');
    expect(latest.manifest).toBe(scaleSetManifest({ name: 'nix-baseline', namespace: NS, min: 1, max: 20 }));
    expect(latest.values).toMatchObject({ minRunners: 1, maxRunners: 20 });

    // Helm's two-way patch: only what differs between the two manifests (plus its ownership annotations).
    expect(scaleSet('nix-baseline').spec).toMatchObject({ minRunners: 0, maxRunners: 20 });
    const patches = api.requests.slice(requestsBefore).filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({
      path: `/apis/${ARC}/namespaces/${NS}/autoscalingrunnersets/nix-baseline`,
      contentType: 'application/merge-patch+json',
    });
    const patch = JSON.parse(patches[0]!.body);
    expect(patch.spec).toEqual({ maxRunners: 20 });
    expect(patch.metadata.annotations).toMatchObject({
      'meta.helm.sh/release-name': 'nix-baseline',
      'meta.helm.sh/release-namespace': NS,
      'actions.github.com/values-hash': expect.stringMatching(/^[0-9a-f]{63}$/),
    });
    expect(scaleSet('nix-baseline').metadata.annotations?.['actions.github.com/values-hash']).toBe(
      /values-hash: (\S+)/.exec(latest.manifest)?.[1],
    );

    expect(scaleSet('nix-large')).toEqual(other);
    expect(revisions('nix-large')).toEqual([{ revision: 1, status: 'deployed', statusLabel: 'deployed' }]);
  });

  it('drops a cap set to null, reading KUBECONFIG when --kubeconfig is absent', async () => {
    addHelmManagedScaleSet(api, { namespace: NS, name: 'windows', min: 1, max: 3 });
    const result = await upgrade('windows', ['--max', 'null', '--min', '2'], { KUBECONFIG: kubeconfig });
    expect(result.exitCode).toBe(0);
    expect(scaleSet('windows').spec).toMatchObject({ minRunners: 2 });
    expect(scaleSet('windows').spec).not.toHaveProperty('maxRunners');
    expect(latestRelease(api, NS, 'windows')).toMatchObject({
      revision: 2,
      status: 'deployed',
      manifest: scaleSetManifest({ name: 'windows', namespace: NS, min: 2 }),
    });
  });

  it('records the new revision as failed when the patch is refused, keeping the old one deployed', async () => {
    addHelmManagedScaleSet(api, { namespace: NS, name: 'gpu', min: 0, max: 2 });
    api.failNext('PATCH', /\/autoscalingrunnersets\/gpu$/, 503);
    const result = await upgrade('gpu', ['--max', '6', '--kubeconfig', kubeconfig]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^Error: UPGRADE FAILED: kubectl patch autoscalingrunnerset gpu .*failed \(exit 1\)/);
    expect(revisions('gpu')).toEqual([
      { revision: 1, status: 'deployed', statusLabel: 'deployed' },
      { revision: 2, status: 'failed', statusLabel: 'failed' },
    ]);
    expect(scaleSet('gpu').spec).toMatchObject({ maxRunners: 2 });

    // The next upgrade starts again from the deployed revision, as revision 3.
    expect((await upgrade('gpu', ['--max', '6', '--kubeconfig', kubeconfig])).exitCode).toBe(0);
    expect(revisions('gpu').map((r) => r.status)).toEqual(['superseded', 'failed', 'deployed']);
    expect(scaleSet('gpu').spec).toMatchObject({ maxRunners: 6 });
  });

  it('refuses while another operation is pending, and reports kubectl failures', async () => {
    addHelmManagedScaleSet(api, { namespace: NS, name: 'arm', min: 0, max: 2 });
    api.put(helmReleaseSecret({ namespace: NS, release: 'arm', revision: 2, status: 'pending-upgrade', manifest: '' }));
    const pending = await upgrade('arm', ['--max', '5', '--kubeconfig', kubeconfig]);
    expect(pending.exitCode).toBe(1);
    expect(pending.stderr).toContain('another operation (install/upgrade/rollback) is in progress');

    const missing = await upgrade('nowhere', ['--max', '5', '--kubeconfig', kubeconfig]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('"nowhere" has no deployed releases');

    const wrong = await writeKubeconfig(api, { token: 'wrong', dir: await mkdtemp(join(dir, 'wrong-')) });
    const unauthorized = await upgrade('arm', ['--max', '5', '--kubeconfig', wrong]);
    expect(unauthorized.exitCode).toBe(1);
    expect(unauthorized.stderr).toMatch(/^Error: UPGRADE FAILED: kubectl get secrets .* failed \(exit 1\): .*(Unauthorized|credentials)/s);
    expect(scaleSet('arm').spec).toMatchObject({ maxRunners: 2 });
  });
});

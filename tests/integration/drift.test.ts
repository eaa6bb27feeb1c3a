import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import {
  b64,
  cleanUpDriftClusters,
  driftCluster,
  PODINFO_CHART,
  podinfoManifest,
  putReleaseRecord,
  STATE_CANARY,
  type DriftCluster,
} from '../support/drift-cluster.js';
import { seedBulk, type BulkLayout } from '../support/drift-bulk.js';
import type { StoredObject } from '../support/kube-api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

cleanUpDriftClusters();

const LIVE_CANARY = 'canary-live-0b71c4';

function json(stdout: string) {
  return JSON.parse(stdout) as {
    command: string;
    env: string;
    exitCode: number;
    stacks: Array<{
      stack: string;
      status: string;
      exitCode: number;
      state?: string;
      context?: string;
      error?: { message: string; hint?: string };
      counts: { managed: number; inSync: number; changed: number; missing: number; unmanaged: number; live: number; coverage: number | null };
      releases: Array<{ name: string; revision: { state: number; live: number | null }; status: { state: string; live: string | null }; drifted: boolean }>;
      objects: Array<{ state: string; kind: string; namespace?: string; name: string; source?: string; fields: Array<{ path: string; expected?: unknown; live?: unknown }>; secretData?: { changed: string[]; added: string[]; removed: string[] } }>;
    }>;
  };
}

/** A kubectl-style edit: read, change, write back (through the controller back door, like `kubectl edit` would end up). */
function edit(cluster: DriftCluster, apiVersion: string, kind: string, namespace: string, name: string, change: (o: StoredObject) => void): void {
  const object = cluster.server.get(apiVersion, kind, namespace, name);
  if (!object) throw new Error(`no ${kind} ${namespace}/${name}`);
  const copy = structuredClone(object);
  change(copy);
  cluster.server.put(copy);
}

function setStackDrift(cluster: DriftCluster, stack: string, drift: unknown): void {
  const file = path.join(cluster.dir, 'stacks', stack, 'stack.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8')}${stringify({ drift })}`);
}

describe('foundation drift: state against the live cluster', () => {
  it('with nothing changed: exit 0 and 0 changed, though live objects carry defaults, status, HPA replicas and canonical quantities', async () => {
    const cluster = await driftCluster();
    // what the server and controllers added or rewrote is really there
    const worker = cluster.server.get('apps/v1', 'Deployment', 'web', 'worker')!;
    const workerSpec = worker.spec as { replicas: number; progressDeadlineSeconds: number; template: { spec: { containers: Array<{ resources: { limits: Record<string, string> } }> } } };
    expect(workerSpec.replicas).toBe(4); // the HPA's count; state says 1
    expect(workerSpec.template.spec.containers[0]!.resources.limits).toEqual({ cpu: '1', memory: '1Gi' }); // state: 1000m, 1024Mi
    expect(workerSpec.progressDeadlineSeconds).toBe(600); // a server default nobody declared
    expect(worker.status).toBeDefined();
    expect((cluster.server.get('v1', 'Service', 'web', 'api')!.spec as { ports: Array<{ targetPort: unknown }> }).ports[0]!.targetPort).toBe(8080); // state: "8080"
    const owned = cluster.server.list('apps/v1', 'ReplicaSet', 'web');
    expect(owned.length).toBe(3);
    expect(owned.every((rs) => (rs.metadata.ownerReferences as unknown[]).length === 1)).toBe(true);

    const human = await runCli(['drift', 'web', 'runners', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stderr).toBe('');
    expect(human.stdout).toContain('web (ENV dev, context test-drift, state s3://state/dev/web/terraform.tfstate): in sync');
    expect(human.stdout).toContain('managed 9, in sync 9, changed 0, missing 0, unmanaged 0, coverage 100% of 8 live objects');
    expect(human.stdout).toContain('runners (ENV dev, context test-drift, state s3://state/dev/runners/terraform.tfstate): in sync');

    const report = json((await runCli(['drift', 'web', 'runners', '--json'], { cwd: cluster.dir, env: cluster.env })).stdout);
    expect(report.exitCode).toBe(0);
    for (const stack of report.stacks) {
      expect(stack.status).toBe('in-sync');
      expect(stack.objects).toEqual([]);
      expect(stack.counts).toMatchObject({ changed: 0, missing: 0, unmanaged: 0 });
    }
    expect(report.stacks.find((s) => s.stack === 'runners')!.counts.managed).toBe(5); // the chart's five objects
    expect(report.stacks.find((s) => s.stack === 'web')!.releases[0]).toMatchObject({ name: 'podinfo', revision: { state: 2, live: 2 }, drifted: false });
  });

  it('shows each kind of drift with the field path and both values, and never a Secret value', async () => {
    const cluster = await driftCluster();
    // a field edited with kubectl
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
      (o.spec as any).template.spec.containers[0].env[0].value = 'debug';
    });
    // an object deleted by hand
    cluster.server.remove('v1', 'ConfigMap', 'web', 'settings');
    // an object nobody declared
    cluster.server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hotfix', namespace: 'web' }, data: { a: 'b' } });
    // a chart-rendered object edited
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'podinfo', (o) => {
      (o.spec as any).template.spec.containers[0].image = 'ghcr.io/stefanprodan/podinfo:6.4.0';
    });
    // a Secret's value changed
    edit(cluster, 'v1', 'Secret', 'web', 'db', (o) => {
      (o.data as Record<string, string>).password = b64(LIVE_CANARY);
    });

    const result = await runCli(['drift', 'web', '--json'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode, result.stderr).toBe(0); // it ran; drift is exit 2 only with --detailed-exitcode
    const [web] = json(result.stdout).stacks;
    expect(web!.status).toBe('drifted');
    expect(web!.counts).toMatchObject({ managed: 9, inSync: 5, changed: 3, missing: 1, unmanaged: 1 });
    const find = (kind: string, name: string) => web!.objects.find((o) => o.kind === kind && o.name === name)!;
    expect(find('Deployment', 'api')).toMatchObject({ state: 'changed', source: 'kubernetes_deployment_v1.api', fields: [{ path: '/spec/template/spec/containers/0/env/0/value', expected: 'info', live: 'debug' }] });
    expect(find('ConfigMap', 'settings')).toMatchObject({ state: 'missing', source: 'kubernetes_config_map_v1.settings' });
    expect(find('ConfigMap', 'hotfix')).toMatchObject({ state: 'unmanaged', namespace: 'web' });
    expect(find('Deployment', 'podinfo')).toMatchObject({
      state: 'changed',
      source: 'helm_release.podinfo (Helm release podinfo)',
      fields: [{ path: '/spec/template/spec/containers/0/image', expected: 'ghcr.io/stefanprodan/podinfo:6.5.0', live: 'ghcr.io/stefanprodan/podinfo:6.4.0' }],
    });
    expect(find('Secret', 'db')).toMatchObject({ state: 'changed', fields: [], secretData: { changed: ['password'], added: [], removed: [] } });
    // coverage: 8 live objects state accounts for (less the deleted one) against one unmanaged
    expect(web!.counts.coverage).toBeCloseTo(7 / 8);

    const human = await runCli(['drift', 'web', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(human.exitCode).toBe(2);
    expect(human.stdout).toContain('web (ENV dev, context test-drift, state s3://state/dev/web/terraform.tfstate): drift found');
    expect(human.stdout).toContain('/spec/template/spec/containers/0/env/0/value: expected "info", live "debug"');
    expect(human.stdout).toMatch(/missing\s+v1 ConfigMap web\/settings \(kubernetes_config_map_v1\.settings\)/);
    expect(human.stdout).toMatch(/unmanaged v1 ConfigMap web\/hotfix/);
    expect(human.stdout).toContain('data changed: changed keys password (values not shown)');
    const markdown = await runCli(['drift', 'web', '--markdown'], { cwd: cluster.dir, env: cluster.env });
    for (const output of [result, human, markdown]) {
      for (const canary of [STATE_CANARY, LIVE_CANARY, b64(STATE_CANARY), b64(LIVE_CANARY)]) {
        expect(output.stdout + output.stderr).not.toContain(canary);
      }
    }
  });

  it('a release rolled back to another revision is drift, with the fields the rollback changed', async () => {
    const cluster = await driftCluster();
    // `helm rollback podinfo 1`: revision 3 renders revision 1's manifest; 2 is superseded
    putReleaseRecord(cluster.server, { namespace: 'web', release: 'podinfo', revision: 2, status: 'superseded', manifest: podinfoManifest(2), chart: PODINFO_CHART });
    putReleaseRecord(cluster.server, { namespace: 'web', release: 'podinfo', revision: 3, status: 'deployed', manifest: podinfoManifest(1), chart: PODINFO_CHART });
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'podinfo', (o) => {
      (o.spec as { replicas: number }).replicas = 1;
    });
    const result = await runCli(['drift', 'web', '--json', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode).toBe(2);
    const [web] = json(result.stdout).stacks;
    expect(web!.releases[0]).toMatchObject({ name: 'podinfo', revision: { state: 2, live: 3 }, status: { state: 'deployed', live: 'deployed' }, drifted: true });
    expect(web!.objects).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'podinfo', fields: [{ path: '/spec/replicas', expected: 2, live: 1 }] })]);
    const human = await runCli(['drift', 'web'], { cwd: cluster.dir, env: cluster.env });
    expect(human.stdout).toContain('Helm release web/podinfo (helm_release.podinfo): revision expected 2, live 3; status deployed');
  });

  it('a drain record the guard left on a scale set is drift worth showing', async () => {
    const cluster = await driftCluster();
    edit(cluster, 'actions.github.com/v1alpha1', 'AutoscalingRunnerSet', 'arc-runners', 'nix-baseline', (o) => {
      o.metadata.annotations = { ...o.metadata.annotations, 'foundation/drain': JSON.stringify({ minRunners: 1, maxRunners: 10, stack: 'runners' }) };
      Object.assign(o.spec as object, { minRunners: 0, maxRunners: 0 });
    });
    const result = await runCli(['drift', 'runners', '--json', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode).toBe(2);
    const [runners] = json(result.stdout).stacks;
    const scaleSet = runners!.objects.find((o) => o.kind === 'AutoscalingRunnerSet')!;
    expect(scaleSet.fields).toEqual([
      { path: '/metadata/annotations/foundation~1drain', live: JSON.stringify({ minRunners: 1, maxRunners: 10, stack: 'runners' }) },
      { path: '/spec/maxRunners', expected: 10, live: 0 },
      { path: '/spec/minRunners', expected: 1, live: 0 },
    ]);
  });

  it('a webhook annotation on every Deployment and HPA replicas stay quiet with one ignore rule; a hand edit still shows', async () => {
    const cluster = await driftCluster();
    for (const name of ['api', 'worker', 'podinfo']) {
      edit(cluster, 'apps/v1', 'Deployment', 'web', name, (o) => {
        o.metadata.annotations = { ...o.metadata.annotations, 'sidecar.example.com/injected': 'true' };
      });
    }
    const noisy = json((await runCli(['drift', 'web', '--json'], { cwd: cluster.dir, env: cluster.env })).stdout).stacks[0]!;
    expect(noisy.objects.map((o) => [o.name, o.fields.map((f) => f.path)])).toEqual([
      ['api', ['/metadata/annotations/sidecar.example.com~1injected']],
      ['podinfo', ['/metadata/annotations/sidecar.example.com~1injected']],
      ['worker', ['/metadata/annotations/sidecar.example.com~1injected']],
    ]);

    setStackDrift(cluster, 'web', { ignore: [{ paths: ['/metadata/annotations/sidecar.example.com~1injected'], target: { kind: 'Deployment' } }] });
    const quiet = await runCli(['drift', 'web', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(quiet.exitCode, quiet.stdout).toBe(0);

    edit(cluster, 'apps/v1', 'Deployment', 'web', 'worker', (o) => {
      (o.spec as any).template.spec.containers[0].image = 'ghcr.io/example/worker:2.0.2-hotfix';
    });
    const edited = await runCli(['drift', 'web', '--json', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(edited.exitCode).toBe(2);
    expect(json(edited.stdout).stacks[0]!.objects).toEqual([
      expect.objectContaining({ name: 'worker', fields: [{ path: '/spec/template/spec/containers/0/image', expected: 'ghcr.io/example/worker:2.0.1', live: 'ghcr.io/example/worker:2.0.2-hotfix' }] }),
    ]);
  });

  it('refuses an ignore rule that is not a JSON Pointer, naming the field', async () => {
    const cluster = await driftCluster({ seed: false });
    setStackDrift(cluster, 'web', { ignore: [{ paths: ['metadata.annotations'] }] });
    const result = await runCli(['drift', 'web'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: stacks\/web\/stack\.yaml: field "drift\.ignore\.0\.paths\.0": must be a JSON Pointer such as \/spec\/replicas\nhint: /);
  });

  it('reads 2,000 objects over 5 kinds and 3 namespaces with discovery plus one LIST per kind and namespace (paged)', async () => {
    const cluster = await driftCluster({ seed: false });
    const layout: BulkLayout = {
      ConfigMap: { 'team-a': 700, 'team-b': 150, 'team-c': 150 },
      Secret: { 'team-a': 150, 'team-b': 150, 'team-c': 100 },
      Service: { 'team-a': 100, 'team-b': 100, 'team-c': 100 },
      Deployment: { 'team-a': 100, 'team-b': 50, 'team-c': 50 },
      HorizontalPodAutoscaler: { 'team-a': 50, 'team-b': 25, 'team-c': 25 },
    };
    const { state, objects } = seedBulk(cluster.server, layout);
    expect(objects).toBe(2000);
    await cluster.uploadState('bulk', state);
    const requests = cluster.requestsFrom();
    const result = await runCli(['drift', 'bulk', '--json'], { cwd: cluster.dir, env: cluster.env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result.stdout).stacks[0]!.counts).toMatchObject({ managed: 2000, inSync: 2000, changed: 0, missing: 0, unmanaged: 0 });

    const sent = requests();
    expect(sent.every((r) => r.method === 'GET')).toBe(true);
    const discovery = sent.filter((r) => /^\/(api\/v1|apis\/[^/]+\/[^/]+)$/.test(r.path));
    expect(discovery.map((r) => r.path).sort()).toEqual(['/api/v1', '/apis/apps/v1', '/apis/autoscaling/v2']);
    const lists = sent.filter((r) => !discovery.includes(r));
    const perCollection = new Map<string, number>();
    for (const r of lists) {
      expect(r.path).toMatch(/^\/apis?\/.*\/namespaces\/team-[abc]\/(configmaps|secrets|services|deployments|horizontalpodautoscalers)$/);
      expect(new URLSearchParams(r.query).get('limit')).toBe('500');
      perCollection.set(r.path, (perCollection.get(r.path) ?? 0) + 1);
    }
    expect(perCollection.size).toBe(5 * 3);
    // 700 ConfigMaps in team-a take two pages (limit/continue); every other collection one
    expect(perCollection.get('/api/v1/namespaces/team-a/configmaps')).toBe(2);
    expect(lists.filter((r) => new URLSearchParams(r.query).has('continue'))).toHaveLength(1);
    expect(sent).toHaveLength(3 + 15 + 1);
  });

  it('--markdown, $GITHUB_STEP_SUMMARY and the exit-code rule over several stacks', async () => {
    const cluster = await driftCluster();
    edit(cluster, 'v1', 'ConfigMap', 'web', 'settings', (o) => {
      (o.data as Record<string, string>).FEATURE_X = 'off';
    });
    const summary = path.join(mkdtempSync(path.join(tmpdir(), 'drift-summary-')), 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const md = await runCli(['drift', 'web', 'runners', '--markdown', '--detailed-exitcode'], { cwd: cluster.dir, env: { ...cluster.env, GITHUB_STEP_SUMMARY: summary } });
    expect(md.exitCode).toBe(2);
    expect(md.stdout).toContain('### foundation drift (ENV dev): drift found');
    expect(md.stdout).toContain('| stack | result | managed | in sync | changed | accepted | missing | unmanaged | coverage |');
    expect(md.stdout).toContain('| runners | in-sync | 5 | 5 | 0 | 0 | 0 | 0 | 100% |');
    expect(md.stdout).toContain('| web | drifted | 9 | 8 | 1 | 0 | 0 | 0 | 100% |');
    expect(md.stdout).toContain('| changed | v1 ConfigMap web/settings | /data/FEATURE_X: expected "on", live "off" |');
    expect(readFileSync(summary, 'utf8')).toBe(`# earlier step\n${md.stdout}`);

    // any error gives 1, whatever else drifted: "cache" has no state object
    const all = await runCli(['drift', 'web', 'runners', 'cache', '--json', '--detailed-exitcode'], { cwd: cluster.dir, env: cluster.env });
    expect(all.exitCode).toBe(1);
    expect(json(all.stdout).stacks.map((s) => [s.stack, s.status, s.exitCode])).toEqual([
      ['cache', 'failed', 1],
      ['runners', 'in-sync', 0],
      ['web', 'drifted', 2],
    ]);
    expect(all.stderr).toMatch(/^error: cache: no state object at s3:\/\/state\/dev\/cache\/terraform\.tfstate/m);
    // without --detailed-exitcode drift is not a failure: exit 0
    expect((await runCli(['drift', 'web', 'runners'], { cwd: cluster.dir, env: cluster.env })).exitCode).toBe(0);
  });

  it('--state-file reads a local state instead of S3', async () => {
    const cluster = await driftCluster();
    const env = { ...cluster.env, TOFU_BACKEND_S3_ENDPOINT: '', TOFU_BACKEND_S3_ACCESS_KEY: '' };
    const result = await runCli(['drift', 'web', '--state-file', path.join(cluster.dir, 'states', 'web.state.json'), '--json'], { cwd: cluster.dir, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(json(result.stdout).stacks[0]).toMatchObject({ status: 'in-sync', state: path.join(cluster.dir, 'states', 'web.state.json') });
    const two = await runCli(['drift', 'web', 'runners', '--state-file', 'x.tfstate'], { cwd: cluster.dir, env });
    expect(two.exitCode).toBe(1);
    expect(two.stderr).toMatch(/^error: --state-file takes exactly one named stack\nhint: /);
  });
});

describe('foundation drift: bad input is one clear line and exit 1', () => {
  const expectOneError = (result: { exitCode: number; stdout: string; stderr: string }, message: RegExp) => {
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(2); // error: and hint:, no stack trace
    expect(result.stderr).toMatch(/\nhint: .+\n$/);
    expect(result.stderr).not.toContain('looks like a bug');
  };

  it('no state object at the key', async () => {
    const cluster = await driftCluster();
    expectOneError(await runCli(['drift', 'cache'], { cwd: cluster.dir, env: cluster.env }), /^error: no state object at s3:\/\/state\/dev\/cache\/terraform\.tfstate \(http:\/\/127\.0\.0\.1:\d+\)\n/);
  });

  it('a state file of an unknown format version', async () => {
    const cluster = await driftCluster();
    await cluster.uploadState('cache', { version: 3, serial: 1, modules: [] });
    expectOneError(await runCli(['drift', 'cache'], { cwd: cluster.dir, env: cluster.env }), /^error: the state at s3:\/\/state\/dev\/cache\/terraform\.tfstate is format version 3; foundation drift reads version 4\n/);
  });

  it('an unreachable API', async () => {
    const cluster = await driftCluster();
    await cluster.server.stop();
    expectOneError(await runCli(['drift', 'web'], { cwd: cluster.dir, env: cluster.env }), /^error: the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context test-drift\) is unreachable \(ECONNREFUSED\)\n/);
  });

  it('an expired context (the API refuses its token) and a context that does not exist', async () => {
    const cluster = await driftCluster();
    const expired = await writeKubeconfig(cluster.server, { token: 'expired-token-0000', context: 'test-drift' });
    expectOneError(
      await runCli(['drift', 'web'], { cwd: cluster.dir, env: { ...cluster.env, KUBECONFIG: expired } }),
      /^error: the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context test-drift\) refused the request to discover the kinds of [\w./]+ \(HTTP 401\)\n/,
    );
    expectOneError(await runCli(['drift', 'web', '--context', 'gone'], { cwd: cluster.dir, env: cluster.env }), /^error: kube context "gone" does not exist in /);
  });
});

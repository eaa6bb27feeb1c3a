import { hostname, userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { b64, cleanUpDriftClusters, driftCluster, type DriftCluster } from '../support/drift-cluster.js';
import type { StoredObject } from '../support/kube-api-server.js';

cleanUpDriftClusters();

const ANNOTATION = 'foundation/drift-accepted';
const WHO = `${userInfo().username}@${hostname()}`;

interface FieldJson {
  path: string;
  expected?: unknown;
  live?: unknown;
  acceptance?: { by: string; reason: string; acceptedAt: string; until: string; expired: boolean };
}
interface ObjectJson {
  state: string;
  kind: string;
  name: string;
  fields: FieldJson[];
  accepted?: FieldJson[];
  secretData?: { changed: string[]; added: string[]; removed: string[]; acceptanceExpired?: Array<{ key: string }> };
}
interface StackJson {
  status: string;
  exitCode: number;
  counts: Record<string, number>;
  objects: ObjectJson[];
  acceptances: Array<Record<string, unknown>>;
}

function stackOf(stdout: string): StackJson {
  return (JSON.parse(stdout) as { stacks: StackJson[] }).stacks[0]!;
}

function edit(cluster: DriftCluster, apiVersion: string, kind: string, namespace: string, name: string, change: (o: StoredObject) => void): void {
  const copy = structuredClone(cluster.server.get(apiVersion, kind, namespace, name)!);
  change(copy);
  cluster.server.put(copy);
}

function scale(cluster: DriftCluster, replicas: number): void {
  edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
    (o.spec as { replicas: number }).replicas = replicas;
  });
}

/** The acceptances stored on the live Deployment web/api. */
function stored(cluster: DriftCluster): Array<{ paths: string[]; by: string; reason: string; acceptedAt: string; until: string }> {
  const text = cluster.server.get('apps/v1', 'Deployment', 'web', 'api')!.metadata.annotations?.[ANNOTATION];
  return text === undefined ? [] : JSON.parse(text);
}

const cli = (cluster: DriftCluster, args: string[]) => runCli(args, { cwd: cluster.dir, env: cluster.env });

describe('foundation drift accept: bounded operator actions', () => {
  it('accepts a replica count until a time: drift shows it accepted and exits 0; once the time passes it is drift again, flagged expired; an unnamed field still shows', async () => {
    const cluster = await driftCluster();
    scale(cluster, 5); // kubectl scale deployment api --replicas 5, for a load test
    const before = await cli(cluster, ['drift', 'web', '--detailed-exitcode']);
    expect(before.exitCode).toBe(2);

    const requests = cluster.requestsFrom();
    const started = Date.now();
    const accept = await cli(cluster, ['drift', 'accept', 'web', 'Deployment/web/api', '--path', '/spec/replicas', '--for', '4h', '--reason', 'load test on sting (ops#42)']);
    expect(accept.exitCode, accept.stderr).toBe(0);
    expect(accept.stdout).toMatch(/^apps\/v1 Deployment web\/api \(stack web\): \/spec\/replicas accepted until \S+Z \(load test on sting \(ops#42\)\), by /);

    // one PATCH, a merge patch conditional on the resourceVersion read, carrying who, which fields, why and until when
    const writes = requests().filter((r) => r.method !== 'GET');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/web/deployments/api', contentType: 'application/merge-patch+json' });
    expect(JSON.parse(writes[0]!.body).metadata.resourceVersion).toMatch(/^\d+$/);
    const [acceptance] = stored(cluster);
    expect(acceptance).toMatchObject({ paths: ['/spec/replicas'], by: WHO, reason: 'load test on sting (ops#42)' });
    const hours = (Date.parse(acceptance!.until) - started) / 3_600_000;
    expect(hours).toBeGreaterThan(3.99);
    expect(hours).toBeLessThan(4.01);

    const human = await cli(cluster, ['drift', 'web', '--detailed-exitcode']);
    expect(human.exitCode, human.stdout).toBe(0);
    expect(human.stdout).toContain('web (ENV dev, context test-drift, state s3://state/dev/web/terraform.tfstate): in sync (drift accepted on 1 object)');
    expect(human.stdout).toContain('managed 9, in sync 8, changed 0, accepted 1, missing 0, unmanaged 0');
    expect(human.stdout).toContain(`  accepted  apps/v1 Deployment web/api (kubernetes_deployment_v1.api)\n      /spec/replicas: expected "2", live 5; accepted until ${acceptance!.until} (load test on sting (ops#42)), by ${WHO}`);

    const json = stackOf((await cli(cluster, ['drift', 'web', '--json', '--detailed-exitcode'])).stdout);
    expect(json).toMatchObject({ status: 'in-sync', exitCode: 0, counts: { inSync: 8, changed: 0, accepted: 1 } });
    expect(json.objects).toEqual([
      expect.objectContaining({ state: 'accepted', kind: 'Deployment', name: 'api', fields: [], accepted: [{ path: '/spec/replicas', expected: '2', live: 5, acceptance: { by: WHO, reason: acceptance!.reason, acceptedAt: acceptance!.acceptedAt, until: acceptance!.until, expired: false } }] }),
    ]);
    const markdown = await cli(cluster, ['drift', 'web', '--markdown']);
    expect(markdown.stdout).toContain(`| accepted | apps/v1 Deployment web/api | /spec/replicas: expected "2", live 5; accepted until ${acceptance!.until} (load test on sting (ops#42)), by ${WHO} |`);

    // a second field of the same object, not named: drift, beside the accepted one
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
      (o.spec as any).template.spec.containers[0].image = 'ghcr.io/example/api:1.4.3-hotfix';
    });
    const both = await cli(cluster, ['drift', 'web', '--json', '--detailed-exitcode']);
    expect(both.exitCode).toBe(2);
    const [api] = stackOf(both.stdout).objects;
    expect(api).toMatchObject({ state: 'changed', name: 'api', fields: [{ path: '/spec/template/spec/containers/0/image', expected: 'ghcr.io/example/api:1.4.2', live: 'ghcr.io/example/api:1.4.3-hotfix' }], accepted: [{ path: '/spec/replicas' }] });
    expect(api!.fields[0]!.acceptance).toBeUndefined();
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
      (o.spec as any).template.spec.containers[0].image = 'ghcr.io/example/api:1.4.2';
    });

    // accepted again for a short time (it replaces the 4h one); once that has passed, the field is drift again
    const short = await cli(cluster, ['drift', 'accept', 'web', 'Deployment/web/api', '--path', '/spec/replicas', '--for', '2s', '--reason', 'last minutes of the load test', '--json']);
    expect(short.exitCode, short.stderr).toBe(0);
    const until = (JSON.parse(short.stdout) as { accepted: { until: string } }).accepted.until;
    expect(stored(cluster)).toEqual([expect.objectContaining({ paths: ['/spec/replicas'], reason: 'last minutes of the load test', until })]);
    while (Date.now() <= Date.parse(until) + 50) await new Promise((resolve) => setTimeout(resolve, 100));
    const expired = await cli(cluster, ['drift', 'web', '--detailed-exitcode']);
    expect(expired.exitCode).toBe(2);
    expect(expired.stdout).toContain(`  changed   apps/v1 Deployment web/api (kubernetes_deployment_v1.api)\n      /spec/replicas: expected "2", live 5; acceptance expired ${until} (last minutes of the load test), by ${WHO}`);
    const expiredJson = stackOf((await cli(cluster, ['drift', 'web', '--json'])).stdout);
    expect(expiredJson.objects[0]).toMatchObject({ state: 'changed', fields: [{ path: '/spec/replicas', live: 5, acceptance: { expired: true, until } }] });
    expect(expiredJson.objects[0]!.accepted).toBeUndefined();

    // listed, then cleared
    const listed = await cli(cluster, ['drift', 'accepted', 'web']);
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/^STACK +OBJECT +PATHS +UNTIL +STATE +DRIFTING NOW +BY +REASON\nweb +Deployment web\/api +\/spec\/replicas +\S+ +expired \S+ ago +\/spec\/replicas +\S+ +last minutes of the load test$/m);
    const listedJson = JSON.parse((await cli(cluster, ['drift', 'accepted', '--all', '--json'])).stdout) as { stacks: Array<{ stack: string; acceptances?: unknown[] }> };
    expect(listedJson.stacks.find((s) => s.stack === 'web')!.acceptances).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'web', name: 'api', source: 'kubernetes_deployment_v1.api', paths: ['/spec/replicas'], by: WHO, reason: 'last minutes of the load test', acceptedAt: expect.any(String), until, expired: true, covers: ['/spec/replicas'] },
    ]);
    const clear = await cli(cluster, ['drift', 'accept', '--clear', 'web', 'Deployment/web/api']);
    expect(clear.exitCode, clear.stderr).toBe(0);
    expect(clear.stdout).toContain('acceptance cleared for /spec/replicas');
    expect(cluster.server.get('apps/v1', 'Deployment', 'web', 'api')!.metadata.annotations?.[ANNOTATION]).toBeUndefined();
  });

  it('refuses an acceptance without --reason (exit 1, nothing written), and other bad input the same way', async () => {
    const cluster = await driftCluster();
    scale(cluster, 5);
    const requests = cluster.requestsFrom();
    const refused = async (args: string[], message: RegExp) => {
      const result = await cli(cluster, ['drift', 'accept', ...args]);
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/\nhint: .+\n$/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    };
    await refused(['web', 'Deployment/web/api', '--path', '/spec/replicas', '--for', '1h'], /^error: drift accept needs --reason "<why>"/);
    await refused(['web', 'Deployment/web/api', '--path', '/spec/replicas', '--for', '1h', '--reason', '  '], /^error: drift accept needs --reason/);
    await refused(['web', 'Deployment/web/api', '--reason', 'x', '--for', '31d'], /^error: an acceptance may run at most 30 days, and --for 31d is longer/);
    await refused(['web', 'Deployment/web/api', '--reason', 'x', '--until', '2020-01-01T00:00:00Z'], /^error: --until 2020-01-01T00:00:00Z has already passed/);
    await refused(['web', 'Deployment/web/api', '--reason', 'x', '--until', 'tomorrow'], /^error: --until must be an RFC 3339 time with a zone, not "tomorrow"/);
    await refused(['web', 'Deployment/web/api', '--reason', 'x', '--for', '1h', '--until', '2030-01-01T00:00:00Z'], /^error: drift accept needs exactly one of --for <duration> and --until <time>/);
    await refused(['web', 'Deployment/web/api', '--reason', 'x'], /^error: drift accept needs exactly one of/);
    await refused(['web', 'Deployment/web/api', '--reason', 'x', '--for', '1h', '--path', 'spec.replicas'], /^error: --path "spec\.replicas" is not a JSON Pointer/);
    await refused(['web', 'Deployment//api', '--reason', 'x', '--for', '1h'], /^error: "Deployment\/\/api" is not an object: expected <kind>\/<namespace>\/<name>/);
    expect(requests()).toEqual([]); // refused before anything was read

    // a missing object cannot be accepted: there is nothing to hide it with
    cluster.server.remove('v1', 'ConfigMap', 'web', 'settings');
    await refused(['web', 'ConfigMap/web/settings', '--reason', 'x', '--for', '1h', '--path', '/data'], /^error: v1 ConfigMap web\/settings is missing from the cluster: an acceptance cannot hide a missing object/);
    // nor an object no state resource declares
    cluster.server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hotfix', namespace: 'web' }, data: { a: 'b' } });
    await refused(['web', 'ConfigMap/web/hotfix', '--reason', 'x', '--for', '1h', '--path', '/data'], /^error: v1 ConfigMap web\/hotfix is not managed by stack web/);
    await refused(['web', 'Deployment/web/nope', '--reason', 'x', '--for', '1h'], /^error: stack web's state declares no Deployment web\/nope/);
    // nothing named and nothing drifting: nothing to accept
    await refused(['web', 'Service/web/api', '--reason', 'x', '--for', '1h'], /^error: nothing drifts on v1 Service web\/api now/);
    await refused(['--clear', 'web', 'Deployment/web/api', '--path', '/spec/replicas'], /^error: no acceptance on apps\/v1 Deployment web\/api names \/spec\/replicas/);
    expect(requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('without --path accepts exactly the fields that drift now, Secret keys by name; a field changed later is not covered', async () => {
    const cluster = await driftCluster();
    scale(cluster, 3);
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
      (o.spec as any).template.spec.containers[0].env[0].value = 'debug';
    });
    edit(cluster, 'v1', 'Secret', 'web', 'db', (o) => {
      (o.data as Record<string, string>).password = b64('rotated-by-hand');
    });
    const accept = await cli(cluster, ['drift', 'accept', 'web', 'Deployment/web/api', '--for', '1d', '--reason', 'debugging ops#7', '--json']);
    expect(accept.exitCode, accept.stderr).toBe(0);
    expect(JSON.parse(accept.stdout).accepted.paths).toEqual(['/spec/replicas', '/spec/template/spec/containers/0/env/0/value']);
    const secret = await cli(cluster, ['drift', 'accept', 'web', 'Secret/web/db', '--for', '1d', '--reason', 'rotation ops#8', '--json']);
    expect(JSON.parse(secret.stdout).accepted.paths).toEqual(['/data/password']);

    const quiet = await cli(cluster, ['drift', 'web', '--json', '--detailed-exitcode']);
    expect(quiet.exitCode, quiet.stdout).toBe(0);
    const objects = stackOf(quiet.stdout).objects;
    expect(objects.map((o) => [o.state, o.name, (o.accepted ?? []).map((f) => f.path)])).toEqual([
      ['accepted', 'api', ['/spec/replicas', '/spec/template/spec/containers/0/env/0/value']],
      ['accepted', 'db', ['/data/password']],
    ]);
    expect(objects[1]!.accepted![0]).not.toHaveProperty('live'); // a Secret's values never show

    edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
      (o.spec as any).template.spec.containers[0].ports[0].containerPort = 9090;
    });
    const later = await cli(cluster, ['drift', 'web', '--json', '--detailed-exitcode']);
    expect(later.exitCode).toBe(2);
    expect(stackOf(later.stdout).objects[0]).toMatchObject({ state: 'changed', name: 'api', fields: [{ path: '/spec/template/spec/containers/0/ports/0/containerPort', expected: 8080, live: 9090 }] });
  });

  it('writes again after a conflict (the object changed since it was read) and keeps the other acceptances', async () => {
    const cluster = await driftCluster();
    scale(cluster, 4);
    expect((await cli(cluster, ['drift', 'accept', 'web', 'Deployment/web/api', '--path', '/spec/replicas', '--for', '2h', '--reason', 'first'])).exitCode).toBe(0);
    cluster.server.failNext('PATCH', /\/deployments\/api$/, 409);
    const requests = cluster.requestsFrom();
    const second = await cli(cluster, ['drift', 'accept', 'web', 'Deployment/web/api', '--path', '/metadata/labels/team', '--for', '1h', '--reason', 'second']);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stderr).toContain('note: /metadata/labels/team does not drift now');
    expect(requests().filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(stored(cluster).map((a) => [a.paths, a.reason])).toEqual([
      [['/spec/replicas'], 'first'],
      [['/metadata/labels/team'], 'second'],
    ]);
    // the acceptance annotation itself is foundation's, never drift
    expect((await cli(cluster, ['drift', 'web', '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('the API server\'s refusal of the annotation (over 256 KiB of annotations) is one line with a hint', async () => {
    const cluster = await driftCluster();
    scale(cluster, 4);
    edit(cluster, 'apps/v1', 'Deployment', 'web', 'api', (o) => {
      o.metadata.annotations = { ...o.metadata.annotations, 'example.com/blob': 'x'.repeat(256 * 1024 - 200) };
    });
    const result = await cli(cluster, ['drift', 'accept', 'web', 'Deployment/web/api', '--path', '/spec/replicas', '--for', '1h', '--reason', 'r'.repeat(300)]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: .*HTTP 422 \(Deployment\.apps "api" is invalid: metadata\.annotations: Too long: may not be more than 262144 bytes\)\nhint: clear acceptances that have run out/);
    expect(stored(cluster)).toEqual([]);
  });
});

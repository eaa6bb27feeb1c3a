// Proves the test Kubernetes API is faithful: the real kubectl (1.32) runs each verb the
// CLI's tests rely on against it, and direct HTTP checks cover the protocol details
// kubectl does not exercise (paging, watch, optimistic concurrency, validation, media types).
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENFORCED_RULES, RULE_NS } from '../support/kube-api/enforced.js';
import { KubeApiServer, type KubeObject } from '../support/kube-api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

const TOKEN = 'test-token-7f3a';
const NS = 'arc-runners';
const ARC = 'actions.github.com/v1alpha1';
const ARS_PATH = `/apis/${ARC}/namespaces/${NS}/autoscalingrunnersets`;
const RUNNERS_PATH = `/apis/${ARC}/namespaces/${NS}/ephemeralrunners`;

let api: KubeApiServer;
let dir: string;
let kubeconfig: string;

/** Runs kubectl against the stand-in, with a private discovery cache (ports get reused). */
function kubectl(args: string[], config = kubeconfig) {
  return execa('kubectl', ['--kubeconfig', config, '--cache-dir', join(dir, 'cache'), ...args], { reject: false });
}

interface HttpResult {
  status: number;
  body: any;
}

function http(
  method: string,
  path: string,
  options: { body?: unknown; contentType?: string; token?: string } = {},
): Promise<HttpResult> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}${path}`,
      {
        method,
        ca: api.ca,
        headers: {
          Authorization: `Bearer ${options.token ?? TOKEN}`,
          ...(payload ? { 'Content-Type': options.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface WatchEvent {
  type: string;
  object: KubeObject;
}

/** Opens a watch; resolves once the server has answered, so later writes are seen live. */
function openWatch(path: string, server = api): Promise<{ next(): Promise<WatchEvent>; close(): void }> {
  const events: WatchEvent[] = [];
  const waiting: ((event: WatchEvent) => void)[] = [];
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { ca: server.ca, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffer.slice(0, newline)) as WatchEvent;
          buffer = buffer.slice(newline + 1);
          const waiter = waiting.shift();
          if (waiter) waiter(event);
          else events.push(event);
        }
      });
      resolve({
        next: () => {
          const ready = events.shift();
          return ready ? Promise.resolve(ready) : new Promise((done) => waiting.push(done));
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end();
  });
}

function scaleSet(name: string): KubeObject {
  const found = api.get(ARC, 'AutoscalingRunnerSet', NS, name);
  if (!found) throw new Error(`no scale set ${name}`);
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-api-kubectl-'));
  api = await new KubeApiServer({ token: TOKEN }).start();
  kubeconfig = await writeKubeconfig(api, { token: TOKEN, context: 'honey', dir });
  api.addScaleSet({ namespace: NS, name: 'linux', min: 1, max: 5 });
  api.addRunner({ namespace: NS, scaleSet: 'linux', name: 'linux-busy', busy: true });
  api.addRunner({ namespace: NS, scaleSet: 'linux', name: 'linux-idle', busy: false });
  api.addRunner({ namespace: NS, scaleSet: 'linux', name: 'linux-legacy', busy: true, legacy: true });
  api.addScaleSet({ namespace: NS, name: 'gpu', min: 0, max: 2 });
  api.addRunner({ namespace: NS, scaleSet: 'gpu', name: 'gpu-busy', busy: true });
  api.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { a: '1' } });
  api.put({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'foundation-drain', namespace: NS },
    spec: { holderIdentity: 'ci-runner-42', leaseDurationSeconds: 60 },
  });
});

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('real kubectl against the test Kubernetes API', () => {
  it('is kubectl 1.32 talking to a 1.32 server', async () => {
    const { exitCode, stdout } = await kubectl(['version', '-o', 'json']);
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      clientVersion: { gitVersion: expect.stringMatching(/^v1\.32\./) },
      serverVersion: { major: '1', minor: '32', gitVersion: 'v1.32.4' },
    });
  });

  it('gets namespaces as a server-side table', async () => {
    const { exitCode, stdout } = await kubectl(['get', 'namespaces']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^NAME\s+STATUS\s+AGE$/m);
    expect(stdout).toMatch(/^arc-runners\s+Active\s+\d+s$/m);
    expect(api.requests.some((r) => r.path === '/api/v1/namespaces' && r.accept.includes('as=Table'))).toBe(true);
  });

  it('prints the AutoscalingRunnerSet printer columns of the ARC CRD', async () => {
    const { exitCode, stdout } = await kubectl(['get', 'autoscalingrunnersets', '-n', NS]);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^NAME\s+MINIMUM RUNNERS\s+MAXIMUM RUNNERS\s+CURRENT RUNNERS\s+STATE\s+PENDING RUNNERS\s+RUNNING RUNNERS/m);
    expect(stdout).toMatch(/^linux\s+1\s+5\s+3\s+0\s+3\b/m);
    expect(stdout).toMatch(/^gpu\s+0\s+2\s+1\b/m);
  });

  it('gets one object as JSON', async () => {
    const { exitCode, stdout } = await kubectl(['get', 'autoscalingrunnerset', 'linux', '-n', NS, '-o', 'json']);
    expect(exitCode).toBe(0);
    const obj = JSON.parse(stdout) as KubeObject;
    expect(obj).toMatchObject({
      apiVersion: ARC,
      kind: 'AutoscalingRunnerSet',
      metadata: { name: 'linux', namespace: NS, generation: 1 },
      spec: { minRunners: 1, maxRunners: 5, runnerScaleSetName: 'linux' },
      status: { currentRunners: 3, runningEphemeralRunners: 3 },
    });
    expect(obj.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists EphemeralRunners by label selector', async () => {
    const { exitCode, stdout } = await kubectl(['get', 'ephemeralrunners', '-n', NS, '-l', 'actions.github.com/scale-set-name=linux']);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^NAME\s+GITHUB CONFIG URL\s+RUNNERID\s+PHASE\s+JOBREPOSITORY/m);
    expect(stdout).toMatch(/^linux-busy\s+\S+\s+\d+\s+Running\s+example-org\/app/m);
    expect(stdout).toContain('linux-idle');
    expect(stdout).not.toContain('gpu-busy');
  });

  it('gets Leases with their holder', async () => {
    const { exitCode, stdout } = await kubectl(['get', 'leases', '-n', NS]);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^NAME\s+HOLDER\s+AGE$/m);
    expect(stdout).toMatch(/^foundation-drain\s+ci-runner-42\s+/m);
  });

  it('merge-patches maxRunners, and the stored object changes', async () => {
    const { exitCode, stdout } = await kubectl([
      'patch', 'autoscalingrunnerset', 'linux', '-n', NS, '--type', 'merge', '-p', '{"spec":{"maxRunners":0}}',
    ]);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('autoscalingrunnerset.actions.github.com/linux patched');
    expect(scaleSet('linux').spec).toMatchObject({ maxRunners: 0, minRunners: 1 });
    expect(scaleSet('linux').metadata.generation).toBe(2);
    const sent = api.requests.filter((r) => r.method === 'PATCH').at(-1);
    expect(sent).toMatchObject({ contentType: 'application/merge-patch+json', path: `${ARS_PATH}/linux` });

    const again = await kubectl(['patch', 'autoscalingrunnerset', 'linux', '-n', NS, '--type', 'merge', '-p', '{"spec":{"maxRunners":0}}']);
    expect(again.stdout).toBe('autoscalingrunnerset.actions.github.com/linux patched (no change)');
  });

  it('JSON-patches an AutoscalingRunnerSet', async () => {
    const patch = JSON.stringify([
      { op: 'test', path: '/spec/minRunners', value: 1 },
      { op: 'replace', path: '/spec/minRunners', value: 0 },
    ]);
    const { exitCode } = await kubectl(['patch', 'autoscalingrunnerset', 'linux', '-n', NS, '--type', 'json', '-p', patch]);
    expect(exitCode).toBe(0);
    expect(scaleSet('linux').spec).toMatchObject({ minRunners: 0 });
    expect(api.requests.filter((r) => r.method === 'PATCH').at(-1)?.contentType).toBe('application/json-patch+json');
  });

  it('refuses kubectl patch of a custom resource with the default strategic type, like a real server', async () => {
    const { exitCode, stderr } = await kubectl(['patch', 'autoscalingrunnerset', 'linux', '-n', NS, '-p', '{"spec":{"maxRunners":1}}']);
    expect(exitCode).toBe(1);
    expect(stderr).toContain('application/strategic-merge-patch+json is not supported');
    expect(scaleSet('linux').spec).toMatchObject({ maxRunners: 0 });
  });

  it('labels and annotates an AutoscalingRunnerSet', async () => {
    const labeled = await kubectl(['label', 'autoscalingrunnerset', 'linux', '-n', NS, 'foundation.dev/drained=true']);
    expect(labeled.stdout).toBe('autoscalingrunnerset.actions.github.com/linux labeled');
    const annotated = await kubectl(['annotate', 'autoscalingrunnerset', 'linux', '-n', NS, 'foundation.dev/previous-max=5']);
    expect(annotated.stdout).toBe('autoscalingrunnerset.actions.github.com/linux annotated');
    const { metadata } = scaleSet('linux');
    expect(metadata.labels).toMatchObject({ 'foundation.dev/drained': 'true', 'actions.github.com/scale-set-name': 'linux' });
    expect(metadata.annotations).toMatchObject({ 'foundation.dev/previous-max': '5' });

    const selected = await kubectl(['get', 'autoscalingrunnersets', '-n', NS, '-l', 'foundation.dev/drained', '-o', 'name']);
    expect(selected.stdout).toBe('autoscalingrunnerset.actions.github.com/linux');

    expect((await kubectl(['label', 'autoscalingrunnerset', 'linux', '-n', NS, 'foundation.dev/drained-'])).exitCode).toBe(0);
    expect(scaleSet('linux').metadata.labels).not.toHaveProperty('foundation.dev/drained');
  });

  it('labels a ConfigMap and annotates a Lease', async () => {
    expect((await kubectl(['label', 'configmap', 'settings', '-n', NS, 'team=platform'])).stdout).toBe('configmap/settings labeled');
    const annotated = await kubectl(['annotate', 'lease', 'foundation-drain', '-n', NS, 'foundation.dev/stack=arc-runners']);
    expect(annotated.stdout).toBe('lease.coordination.k8s.io/foundation-drain annotated');
    expect(api.get('v1', 'ConfigMap', NS, 'settings')?.metadata.labels).toEqual({ team: 'platform' });
    expect(api.get('coordination.k8s.io/v1', 'Lease', NS, 'foundation-drain')?.metadata.annotations).toEqual({
      'foundation.dev/stack': 'arc-runners',
    });
  });

  it('creates and deletes from a manifest (OpenAPI v3 lets kubectl validate server-side)', async () => {
    const manifest = join(dir, 'windows.json');
    await writeFile(
      manifest,
      JSON.stringify({
        apiVersion: ARC,
        kind: 'AutoscalingRunnerSet',
        metadata: { name: 'windows', namespace: NS },
        spec: { githubConfigUrl: 'https://github.com/example-org', minRunners: 0, maxRunners: 3 },
      }),
    );
    const created = await kubectl(['create', '-f', manifest]);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('autoscalingrunnerset.actions.github.com/windows created');
    expect(scaleSet('windows').spec).toMatchObject({ maxRunners: 3 });

    const again = await kubectl(['create', '-f', manifest]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('Error from server (AlreadyExists)');

    expect((await kubectl(['delete', '-f', manifest])).stdout).toBe('autoscalingrunnerset.actions.github.com "windows" deleted');
    expect(api.get(ARC, 'AutoscalingRunnerSet', NS, 'windows')).toBeUndefined();
  });

  it('reports a missing object as NotFound', async () => {
    const { exitCode, stderr } = await kubectl(['get', 'autoscalingrunnerset', 'missing', '-n', NS]);
    expect(exitCode).toBe(1);
    expect(stderr).toContain('Error from server (NotFound): autoscalingrunnersets.actions.github.com "missing" not found');
  });

  it('injected faults read to kubectl as a real server\'s: a 429 with Retry-After it waits out and retries (client-go does), a 503 Status, a 504 Timeout', async () => {
    const path = /\/autoscalingrunnersets\/linux$/;
    api.inject({ kind: 'status', code: 429, retryAfterSeconds: 1, plain: true }, { method: 'GET', path }, { times: 1 });
    const retried = await kubectl(['get', 'autoscalingrunnerset', 'linux', '-n', NS, '-o', 'name']);
    expect(retried.exitCode, retried.stderr).toBe(0);
    expect(retried.stdout.trim()).toBe('autoscalingrunnerset.actions.github.com/linux');
    const gets = api.requests.filter((r) => r.method === 'GET' && path.test(r.path));
    expect(gets.slice(-2).map((r) => r.fault)).toEqual(['status', undefined]);
    expect(gets.at(-1)!.at - gets.at(-2)!.at).toBeGreaterThanOrEqual(1_000);

    api.inject({ kind: 'status', code: 503 }, { method: 'GET', path }, { times: 1 });
    const unavailable = await kubectl(['get', 'autoscalingrunnerset', 'linux', '-n', NS]);
    expect(unavailable.exitCode).toBe(1);
    expect(unavailable.stderr).toContain('Error from server (ServiceUnavailable): the server is currently unable to handle the request');

    api.inject({ kind: 'status', code: 504 }, { method: 'GET', path }, { times: 1 });
    const timeout = await kubectl(['get', 'autoscalingrunnerset', 'linux', '-n', NS]);
    expect(timeout.exitCode).toBe(1);
    expect(timeout.stderr).toContain('Error from server (Timeout): Timeout: request did not complete within requested timeout - context deadline exceeded');
  });

  it('rejects a wrong token as Unauthorized', async () => {
    const wrong = await writeKubeconfig(api, { token: 'not-the-token', dir: await mkdtemp(join(dir, 'wrong-')) });
    const { exitCode, stderr } = await kubectl(['get', 'namespaces'], wrong);
    expect(exitCode).toBe(1);
    // "(Unauthorized)" is our Status message; with no discovery cache kubectl fails earlier with its own wording.
    expect(stderr).toMatch(/error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/);
  });

  it('hides the ARC kinds when the CRDs are not installed', async () => {
    const bare = await new KubeApiServer({ token: TOKEN, arcCrds: false }).start();
    try {
      const config = await writeKubeconfig(bare, { token: TOKEN, dir: await mkdtemp(join(dir, 'bare-')) });
      const { exitCode, stderr } = await kubectl(['get', 'autoscalingrunnersets', '-A'], config);
      expect(exitCode).toBe(1);
      expect(stderr).toContain(`the server doesn't have a resource type "autoscalingrunnersets"`);
      expect((await kubectl(['get', 'leases', '-A'], config)).exitCode).toBe(0);
      // kubectl asks for aggregated discovery first and falls back to the per-group documents served.
      const apis = bare.requests.find((r) => r.path === '/apis');
      expect(apis?.accept).toContain('as=APIGroupDiscoveryList');
      expect(bare.requests.some((r) => r.path === '/apis/coordination.k8s.io/v1')).toBe(true);
    } finally {
      await bare.stop();
    }
  });
});

describe('HTTP semantics kubectl does not exercise', () => {
  it('answers 401 with a Status body without the bearer token', async () => {
    const { status, body } = await http('GET', '/api/v1/namespaces', { token: 'wrong' });
    expect(status).toBe(401);
    expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
  });

  it('serves discovery for the ARC group with the status subresource', async () => {
    const groups = await http('GET', '/apis');
    expect(groups.body.groups.map((g: { name: string }) => g.name)).toContain('actions.github.com');
    const { body } = await http('GET', `/apis/${ARC}`);
    const names = body.resources.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(['autoscalingrunnersets', 'autoscalingrunnersets/status', 'ephemeralrunners']));
  });

  it('pages a list with limit and continue', async () => {
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const query = `?limit=2${token ? `&continue=${encodeURIComponent(token)}` : ''}`;
      const { status, body } = await http('GET', `/apis/${ARC}/ephemeralrunners${query}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ kind: 'EphemeralRunnerList', apiVersion: ARC });
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((i: KubeObject) => i.metadata.name));
      token = body.metadata.continue ?? '';
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual(['gpu-busy', 'linux-busy', 'linux-idle', 'linux-legacy']);
  });

  it('filters lists with set-based label selectors and field selectors', async () => {
    const names = async (query: string) =>
      (await http('GET', `${RUNNERS_PATH}?${query}`)).body.items.map((i: KubeObject) => i.metadata.name);
    expect(await names(`labelSelector=${encodeURIComponent('actions.github.com/scale-set-name in (gpu)')}`)).toEqual(['gpu-busy']);
    expect(await names(`labelSelector=${encodeURIComponent('actions.github.com/scale-set-name notin (gpu),!missing')}`)).toHaveLength(3);
    expect(await names('fieldSelector=metadata.name%3Dlinux-idle')).toEqual(['linux-idle']);
    expect((await http('GET', `${RUNNERS_PATH}?fieldSelector=status.phase%3DRunning`)).status).toBe(400);
  });

  it('records busy runners the way ARC does: jobId, or only jobRequestId on older ARC', () => {
    const status = (name: string) => api.get(ARC, 'EphemeralRunner', NS, name)?.status;
    expect(status('linux-busy')).toMatchObject({ phase: 'Running', jobId: expect.any(String) });
    expect(status('linux-legacy')).toMatchObject({ phase: 'Running', jobRequestId: expect.any(Number) });
    expect(status('linux-legacy')).not.toHaveProperty('jobId');
    expect(status('linux-idle')).not.toHaveProperty('jobId');
    expect(status('linux-idle')).not.toHaveProperty('jobRequestId');
  });

  it('replays a watch from an older resourceVersion and streams later changes', async () => {
    const from = (await http('GET', ARS_PATH)).body.metadata.resourceVersion as string;
    const current = scaleSet('gpu');
    api.put({ ...current, status: { ...(current.status as object), state: 'Draining' } });

    const watch = await openWatch(`${ARS_PATH}?watch=true&resourceVersion=${from}&allowWatchBookmarks=true`);
    try {
      const replayed = await watch.next();
      expect(replayed.type).toBe('MODIFIED');
      expect(replayed.object).toMatchObject({ metadata: { name: 'gpu' }, status: { state: 'Draining' } });

      const patched = await http('PATCH', `${ARS_PATH}/gpu`, {
        body: { spec: { maxRunners: 0 } },
        contentType: 'application/merge-patch+json',
      });
      const live = await watch.next();
      expect(live).toMatchObject({ type: 'MODIFIED', object: { spec: { maxRunners: 0 } } });
      expect(live.object.metadata.resourceVersion).toBe(patched.body.metadata.resourceVersion);
    } finally {
      watch.close();
    }
  });

  it('emits MODIFIED then DELETED when a runner finishes its job', async () => {
    const from = api.resourceVersion;
    const selector = encodeURIComponent('actions.github.com/scale-set-name=gpu');
    const watch = await openWatch(`${RUNNERS_PATH}?watch=1&resourceVersion=${from}&labelSelector=${selector}`);
    try {
      api.finishJob(NS, 'gpu-busy');
      expect(await watch.next()).toMatchObject({ type: 'MODIFIED', object: { status: { phase: 'Succeeded' } } });
      expect(await watch.next()).toMatchObject({ type: 'DELETED', object: { metadata: { name: 'gpu-busy' } } });
    } finally {
      watch.close();
    }
    expect(api.get(ARC, 'EphemeralRunner', NS, 'gpu-busy')).toBeUndefined();
    expect(scaleSet('gpu').status).toMatchObject({ currentRunners: 0, runningEphemeralRunners: 0 });
  });

  it('expires a watch from a resourceVersion older than the kept history with 410', async () => {
    const small = await new KubeApiServer({ token: TOKEN, watchHistory: 2 }).start();
    try {
      const from = small.resourceVersion;
      for (const name of ['a', 'b', 'c']) small.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
      const watch = await openWatch(`/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${from}`, small);
      expect(await watch.next()).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      watch.close();
    } finally {
      await small.stop();
    }
  });

  it('enforces optimistic concurrency on PUT', async () => {
    const stale = scaleSet('linux');
    api.put({ ...stale, metadata: { ...stale.metadata, annotations: { touched: 'yes' } } });
    const conflict = await http('PUT', `${ARS_PATH}/linux`, { body: stale });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ kind: 'Status', reason: 'Conflict', details: { name: 'linux' } });

    const { resourceVersion: _dropped, ...metadata } = stale.metadata;
    const unconditional = await http('PUT', `${ARS_PATH}/linux`, { body: { ...stale, metadata } });
    expect(unconditional.status).toBe(422);
    expect(unconditional.body.message).toContain('metadata.resourceVersion');
  });

  it('rejects a negative maxRunners with 422 naming the field', async () => {
    const { status, body } = await http('PATCH', `${ARS_PATH}/linux`, {
      body: { spec: { maxRunners: -1 } },
      contentType: 'application/merge-patch+json',
    });
    expect(status).toBe(422);
    expect(body).toMatchObject({ kind: 'Status', reason: 'Invalid', details: { causes: [{ field: 'spec.maxRunners' }] } });
    expect(body.message).toContain('spec.maxRunners');
  });

  it('answers a strategic merge patch of an ARC kind with 415, but accepts it for a ConfigMap', async () => {
    const arc = await http('PATCH', `${ARS_PATH}/linux`, {
      body: { spec: { maxRunners: 1 } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(arc.status).toBe(415);
    expect(arc.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });

    const core = await http('PATCH', `/api/v1/namespaces/${NS}/configmaps/settings`, {
      body: { data: { b: '2' } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(core.status).toBe(200);
    expect(core.body.data).toEqual({ a: '1', b: '2' });
  });

  it('keeps status and spec apart between the main resource and the status subresource', async () => {
    const main = await http('PATCH', `${ARS_PATH}/linux`, {
      body: { status: { currentRunners: 99 } },
      contentType: 'application/merge-patch+json',
    });
    expect(main.body.status.currentRunners).toBe(3);

    const status = await http('PATCH', `${ARS_PATH}/linux/status`, {
      body: { spec: { maxRunners: 7 }, status: { currentRunners: 99 } },
      contentType: 'application/merge-patch+json',
    });
    expect(status.status).toBe(200);
    expect(status.body.status.currentRunners).toBe(99);
    expect(status.body.spec.maxRunners).toBe(0);
  });

  it('answers create errors as the apiserver does', async () => {
    const lease = (name: string | undefined, namespace = NS) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: name ? { name, namespace } : { namespace },
    });
    const path = (namespace: string) => `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
    expect((await http('POST', path('nowhere'), { body: lease('x', 'nowhere') })).body).toMatchObject({
      code: 404,
      message: 'namespaces "nowhere" not found',
    });
    expect((await http('POST', path(NS), { body: lease(undefined) })).status).toBe(422);
    expect((await http('POST', path(NS), { body: lease('foundation-drain') })).body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
    expect((await http('POST', path(NS), { body: lease('new-lease') })).status).toBe(201);
    expect(api.requests.filter((r) => r.method === 'POST' && r.path === path(NS))).toHaveLength(3);
  });

  it('deletes a collection by label selector', async () => {
    const leases = '/apis/coordination.k8s.io/v1/namespaces/default/leases';
    for (const name of ['temp-1', 'temp-2', 'kept']) {
      api.put({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, labels: { temp: String(name !== 'kept') } } });
    }
    const { status, body } = await http('DELETE', `${leases}?labelSelector=temp%3Dtrue`);
    expect(status).toBe(200);
    expect(body.items.map((i: KubeObject) => i.metadata.name)).toEqual(['temp-1', 'temp-2']);
    expect(api.list('coordination.k8s.io/v1', 'leases', 'default').map((l) => l.metadata.name)).toEqual(['kept']);
  });

  it('fails the next matching request on demand', async () => {
    api.failNext('GET', /\/autoscalingrunnersets$/, 503);
    expect((await http('GET', ARS_PATH)).body).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect((await http('GET', ARS_PATH)).status).toBe(200);
  });
});

describe('every rule the test API enforces, through the real kubectl and over HTTP (tests/support/kube-api/enforced.ts)', () => {
  let files = 0;
  const context = {
    get: (what: 'lease' | 'scaleSet') =>
      what === 'lease'
        ? api.get('coordination.k8s.io/v1', 'Lease', RULE_NS, 'held')!
        : api.get(ARC, 'AutoscalingRunnerSet', RULE_NS, 'linux')!,
    file: (object: unknown) => {
      const file = join(dir, `rule-${++files}.json`);
      writeFileSync(file, JSON.stringify(object));
      return file;
    },
  };

  beforeAll(() => {
    api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: RULE_NS } });
    api.addScaleSet({ namespace: RULE_NS, name: 'linux', min: 1, max: 5 });
    api.put({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'held', namespace: RULE_NS },
      spec: { holderIdentity: 'ci-runner-42', leaseDurationSeconds: 60, renewTime: '2026-11-23T14:06:29.233000Z' },
    });
  });

  for (const rule of ENFORCED_RULES) {
    it(rule.rule, async () => {
      const before = { lease: context.get('lease'), scaleSet: context.get('scaleSet') };
      if (rule.kubectl) {
        const { exitCode, stderr } = await kubectl(rule.kubectl.args(context));
        expect(exitCode, stderr).toBe(1);
        expect(stderr).toContain(rule.kubectl.prints);
      }
      const request = rule.http(context);
      const { status, body } = await http(request.method, request.path, { body: request.body, contentType: request.contentType });
      expect(status).toBe(rule.code);
      expect(body).toMatchObject({ kind: 'Status', status: 'Failure', code: rule.code });
      if (typeof rule.message === 'string') expect(body.message).toBe(rule.message);
      else expect(body.message).toMatch(rule.message);
      // refused means unchanged
      expect(context.get('lease')).toEqual(before.lease);
      expect(context.get('scaleSet')).toEqual(before.scaleSet);
      expect(api.get('coordination.k8s.io/v1', 'Lease', RULE_NS, 'bad-lease')).toBeUndefined();
    });
  }

  it('accepts the same fields well formed, and stores MicroTime and Time the way the server writes them', async () => {
    const ok = await http('POST', `/apis/coordination.k8s.io/v1/namespaces/${RULE_NS}/leases`, {
      body: { metadata: { name: 'good-lease', creationTimestamp: '2026-11-23T14:06:29.5+02:00' }, spec: { leaseDurationSeconds: 15, leaseTransitions: 0, acquireTime: '2026-11-23T16:06:29.123456+02:00', renewTime: '2026-11-23T14:06:29.233000Z' } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.spec).toMatchObject({ acquireTime: '2026-11-23T14:06:29.123456Z', renewTime: '2026-11-23T14:06:29.233000Z' });
  });
});

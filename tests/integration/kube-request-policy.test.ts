// The one request policy every Kubernetes call goes through (src/kube/request-policy.ts),
// driven through client-node against the test API with faults injected: what is retried,
// what never is, how long it waits, and when it gives up.
import { afterEach, describe, expect, it } from 'vitest';
import { connectKube, kubeError, withPolicy, type KubeClient } from '../../src/kube/client.js';
import { DEFAULT_POLICY, retryAfterMs, transientReason, type RetryNotice } from '../../src/kube/request-policy.js';
import { Backoff } from '../../src/util/http-retry.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

const running: KubeApiServer[] = [];
const savedKubeconfig = process.env.KUBECONFIG;
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  process.env.KUBECONFIG = savedKubeconfig;
});

const NAMESPACES = /^\/api\/v1\/namespaces$/;

async function client(settings = {}): Promise<{ server: KubeApiServer; kube: KubeClient; notices: RetryNotice[] }> {
  const server = await new KubeApiServer().start();
  running.push(server);
  process.env.KUBECONFIG = await writeKubeconfig(server, { context: 'policy' });
  const notices: RetryNotice[] = [];
  const kube = withPolicy(await connectKube('policy'), { ...DEFAULT_POLICY, backoff: { initialMs: 50, maxMs: 200 }, onRetry: (n) => notices.push(n), ...settings });
  return { server, kube, notices };
}

const listNamespaces = (kube: KubeClient) => kube.core.listNamespace();
const calls = (server: KubeApiServer) => server.requests.filter((r) => NAMESPACES.test(r.path));

describe('what is transient', () => {
  it('429, 500, 502, 503, 504, resets, refusals and timeouts are; answers about the request itself never are', () => {
    for (const code of [429, 500, 502, 503, 504]) expect(transientReason(code)).toBe(`HTTP ${code}`);
    for (const code of [400, 401, 403, 404, 405, 409, 410, 415, 422]) expect(transientReason(code)).toBeUndefined();
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']) expect(transientReason(undefined, Object.assign(new Error('x'), { code }))).toBe(code);
    expect(transientReason(undefined, new Error('socket hang up'))).toBe('ECONNRESET');
    expect(transientReason(undefined, Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBeUndefined();
    expect(transientReason(undefined, Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }))).toBeUndefined();
  });

  it('Retry-After as seconds or an HTTP date, and a Status body\'s details.retryAfterSeconds: the longer wins', () => {
    expect(retryAfterMs({ 'retry-after': '2' }, 'Too many requests, please try again later.\n')).toBe(2_000);
    expect(retryAfterMs({}, JSON.stringify({ kind: 'Status', details: { retryAfterSeconds: 3 } }))).toBe(3_000);
    expect(retryAfterMs({ 'retry-after': '1' }, JSON.stringify({ details: { retryAfterSeconds: 4 } }))).toBe(4_000);
    const inFive = new Date(Date.now() + 5_000).toUTCString();
    expect(retryAfterMs({ 'retry-after': inFive }, '')).toBeGreaterThan(3_000);
    expect(retryAfterMs({}, '<html>502 Bad Gateway</html>')).toBeUndefined();
  });

  it('backoff doubles up to its cap, with up to as much again in jitter', () => {
    const backoff = new Backoff({ initialMs: 800, maxMs: 30_000 });
    const bases = [800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000];
    for (const base of bases) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(base);
      expect(delay).toBeLessThanOrEqual(2 * base);
    }
    backoff.reset();
    expect(backoff.next()).toBeLessThanOrEqual(1_600);
  });
});

describe('a call under the policy', () => {
  it('two 503s and a reset, then the answer: four attempts, one result, a notice before each retry', async () => {
    const { server, kube, notices } = await client();
    server.inject({ kind: 'status', code: 503 }, { path: NAMESPACES }, { times: 2 });
    server.inject({ kind: 'reset' }, { path: NAMESPACES }, { times: 1 });
    const list = await listNamespaces(kube);
    expect(list.items.map((n) => n.metadata?.name)).toContain('default');
    expect(calls(server).map((r) => r.fault)).toEqual(['status', 'status', 'reset', undefined]);
    expect(notices.map((n) => n.reason)).toEqual(['HTTP 503', 'HTTP 503', 'ECONNRESET']);
    expect(notices.every((n) => n.method === 'GET' && n.path === '/api/v1/namespaces')).toBe(true);
  });

  it('400, 401, 403, 404, 409 and 422 are answered once, never retried', async () => {
    const { server, kube } = await client();
    for (const code of [400, 401, 403, 404, 409, 422]) {
      const before = calls(server).length;
      server.inject({ kind: 'status', code }, { path: NAMESPACES }, { times: 5 });
      const error = (await listNamespaces(kube).catch((e: unknown) => e)) as { code?: number };
      expect(error.code).toBe(code);
      expect(calls(server).length - before).toBe(1);
      server.clearFaults();
    }
  });

  it('a 429 with Retry-After is tried again no sooner than asked; one whose Retry-After outlasts the budget gives up at once', async () => {
    const { server, kube } = await client({ budgetMs: 5_000 });
    server.inject({ kind: 'status', code: 429, retryAfterSeconds: 1, plain: true }, { path: NAMESPACES }, { times: 1 });
    await listNamespaces(kube);
    const [limited, next] = calls(server);
    expect(next!.at - limited!.at).toBeGreaterThanOrEqual(1_000);

    server.inject({ kind: 'status', code: 429, retryAfterSeconds: 60 }, { path: NAMESPACES }, { times: 1 });
    const before = calls(server).length;
    const error = await listNamespaces(kube).catch((e: unknown) => e);
    expect((error as { code?: number }).code).toBe(429);
    expect(calls(server).length - before).toBe(1);
    expect(kubeError(kube, error, 'list namespaces').message).toMatch(/could not list namespaces: HTTP 429 \(Too many requests, please try again later\.\)$|could not list namespaces: HTTP 429$/);
  });

  it('an attempt that hangs times out and is tried again; with no budget left it says it got no answer', async () => {
    const { server, kube, notices } = await client({ attemptTimeoutMs: 500, budgetMs: 5_000 });
    server.inject({ kind: 'hang' }, { path: NAMESPACES }, { times: 1 });
    await listNamespaces(kube);
    expect(notices.map((n) => n.reason)).toEqual(['no answer in 500ms']);

    const once = withPolicy(kube, { ...DEFAULT_POLICY, attemptTimeoutMs: 300, budgetMs: 0, maxAttempts: 1 });
    server.inject({ kind: 'hang' }, { path: NAMESPACES }, { times: 1 });
    const error = await listNamespaces(once).catch((e: unknown) => e);
    expect(kubeError(once, error, 'list namespaces').message).toMatch(/^the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context policy\) did not answer the request to list namespaces \(no answer in 300ms\)$/);
  });

  it('a body that stalls after the headers counts against the attempt, as a slow answer does', async () => {
    const { server, kube } = await client({ attemptTimeoutMs: 1_000, budgetMs: 0, maxAttempts: 1 });
    server.inject({ kind: 'stall-body' }, { path: NAMESPACES }, { times: 1 });
    const error = await listNamespaces(kube).catch((e: unknown) => e);
    expect(kubeError(kube, error, 'list namespaces').message).toContain('(no answer in 1s)');
    server.inject({ kind: 'delay', ms: 1_500 }, { path: NAMESPACES }, { times: 1 });
    const late = await listNamespaces(kube).catch((e: unknown) => e);
    expect(kubeError(kube, late, 'list namespaces').message).toContain('(no answer in 1s)');
  });

  it('a shared deadline: every call through the view stops retrying when it has passed', async () => {
    const { server, kube } = await client();
    const started = Date.now();
    const view = withPolicy(kube, { ...DEFAULT_POLICY, maxAttempts: Number.POSITIVE_INFINITY, backoff: { initialMs: 100, maxMs: 200 }, budgetMs: 3_000 }, started + 3_000);
    server.inject({ kind: 'status', code: 503 });
    await expect(listNamespaces(view)).rejects.toMatchObject({ code: 503 });
    // the first call spends the shared budget; a second one through the view is tried once, and no retry starts past the deadline
    await expect(listNamespaces(view)).rejects.toMatchObject({ code: 503 });
    const attempts = calls(server);
    expect(attempts.length).toBeGreaterThan(3);
    expect(attempts.at(-2)!.at).toBeLessThanOrEqual(started + 3_000);
    expect(attempts.at(-1)!.at).toBeGreaterThanOrEqual(attempts.at(-2)!.at);
  });
});

import type * as k8s from '@kubernetes/client-node';
import { Backoff, formatWait, isRetryable, networkCode, RESET_CODES, retryAfterMs as retryAfterHeaderMs } from '../util/http-retry.js';

/**
 * How one Kubernetes call is sent: a timeout per attempt and, for transient failures
 * only, retries with exponential backoff and jitter until the budget runs out. The
 * numbers follow client-go's habits (see DEFAULT_POLICY); each caller may state its own.
 */
export interface RequestPolicy {
  /** One attempt: connecting, the answer's headers and its whole body. */
  attemptTimeoutMs: number;
  /** When the last retry may start (epoch ms): from a budget, or shared by every call of one task (a restore). */
  deadline: () => number;
  /** At most this many attempts (client-go: 10 retries on Retry-After). */
  maxAttempts: number;
  /** First backoff and its cap: each retry doubles it, plus up to as much again in jitter. */
  backoff: { initialMs: number; maxMs: number };
  /** Told before each retry: what failed and when the next attempt starts. */
  onRetry?: (retry: RetryNotice) => void;
}

export interface RetryNotice {
  method: string;
  /** The URL's path, without the query. */
  path: string;
  /** "HTTP 503", "HTTP 429", "ECONNRESET", "no answer in 30s". */
  reason: string;
  attempt: number;
  delayMs: number;
  /** Until the deadline, after this delay. */
  leftMs: number;
}

/** The policy's tuning without the deadline: a budget in ms from the call's start. */
export interface PolicySettings extends Omit<RequestPolicy, 'deadline'> {
  budgetMs: number;
}

/**
 * An ordinary call: 30 s an attempt (the apiserver's own default request timeout is 60 s)
 * and a minute of retries at most, 10 attempts (client-go's maxRetries).
 */
export const DEFAULT_POLICY: PolicySettings = { attemptTimeoutMs: 30_000, budgetMs: 60_000, maxAttempts: 10, backoff: { initialMs: 500, maxMs: 10_000 } };

/** A policy whose budget starts at each call (the default), or at `deadline` for every call. */
export function policyFrom(settings: PolicySettings, deadline?: number): RequestPolicy {
  const { budgetMs, ...rest } = settings;
  return { ...rest, deadline: deadline === undefined ? () => Date.now() + budgetMs : () => deadline };
}

/** A connection that failed, was refused, reset or cut: the server may be restarting. */
const TRANSIENT_NETWORK = new Set([...RESET_CODES, 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

/** Why a call may be tried again (a transient failure), or undefined when it may not. */
export function transientReason(status: number | undefined, error?: unknown): string | undefined {
  if (status !== undefined) return isRetryable(status) ? `HTTP ${status}` : undefined;
  if (error instanceof AttemptTimeout) return error.message;
  const code = networkCode(error);
  return code && TRANSIENT_NETWORK.has(code) ? code : undefined;
}

/** An attempt that got no whole answer within its timeout. */
export class AttemptTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer in ${formatWait(ms)}`);
  }
}

/**
 * How long the server asked us to wait: the Retry-After header (seconds or an HTTP date)
 * or a Status body's details.retryAfterSeconds, whichever is longer.
 */
export function retryAfterMs(headers: Record<string, string>, body: string): number | undefined {
  const fromHeader = retryAfterHeaderMs(headers['retry-after'] ?? null);
  let fromBody: number | undefined;
  try {
    const seconds = (JSON.parse(body) as { details?: { retryAfterSeconds?: unknown } }).details?.retryAfterSeconds;
    if (typeof seconds === 'number' && seconds > 0) fromBody = seconds * 1000;
  } catch {
    // a plain-text answer (the apiserver's max-in-flight and priority-and-fairness 429s are)
  }
  if (fromHeader === undefined) return fromBody;
  return fromBody === undefined ? fromHeader : Math.max(fromHeader, fromBody);
}

/**
 * Servers that have answered this process. Before a server's first answer, a connection
 * that fails is most likely a wrong address or a cluster that is down, not a restart:
 * it gets a short grace only, so the operator hears "unreachable" in seconds.
 */
const answered = new Set<string>();
const FIRST_CONTACT_GRACE_MS = 2_000;
/** A retry needs this much time before the deadline (or a quarter of its attempt timeout, if less). */
const MIN_ATTEMPT_MS = 1_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Library = k8s.PromiseHttpLibrary;

/**
 * Sends a request under the policy through client-node's own fetch library. The answer's
 * body is read inside the attempt (a server may hang after the headers) and handed back
 * buffered. A transient failure is retried while attempts and the deadline allow; the
 * last answer (or error) is what the caller gets, so client-node raises its usual
 * ApiException for a non-2xx answer.
 */
async function sendUnderPolicy(k8sModule: typeof k8s, inner: Library, request: k8s.RequestContext, policy: RequestPolicy): Promise<k8s.ResponseContext> {
  const deadline = policy.deadline();
  const started = Date.now();
  const backoff = new Backoff(policy.backoff);
  const method = request.getHttpMethod().toString();
  const { origin, pathname: path } = new URL(request.getUrl());
  for (let attempt = 1; ; attempt++) {
    let outcome: { response: k8s.ResponseContext; text: string } | { error: unknown };
    // A retry never runs past the deadline (a renewal must end before its Lease could expire).
    const timeoutMs = attempt === 1 ? policy.attemptTimeoutMs : Math.max(1, Math.min(policy.attemptTimeoutMs, deadline - Date.now()));
    try {
      outcome = await attemptOnce(k8sModule, inner, request, timeoutMs);
    } catch (error) {
      outcome = { error };
    }
    const status = 'response' in outcome ? outcome.response.httpStatusCode : undefined;
    if (status !== undefined) answered.add(origin);
    const reason = transientReason(status, 'error' in outcome ? outcome.error : undefined);
    const give = () => {
      if ('error' in outcome) throw outcome.error;
      return outcome.response;
    };
    if (!reason || attempt >= policy.maxAttempts) return give();
    const asked = 'response' in outcome ? retryAfterMs(outcome.response.headers, outcome.text) : undefined;
    const delayMs = Math.max(asked ?? 0, backoff.next());
    const until = status === undefined && !answered.has(origin) ? Math.min(deadline, started + FIRST_CONTACT_GRACE_MS) : deadline;
    const leftMs = until - Date.now() - delayMs;
    // Never sooner than the server asked; and only a retry with time left for a real attempt.
    if (leftMs < Math.min(policy.attemptTimeoutMs / 4, MIN_ATTEMPT_MS)) return give();
    policy.onRetry?.({ method, path, reason, attempt, delayMs, leftMs });
    await sleep(delayMs);
  }
}

async function attemptOnce(k8sModule: typeof k8s, inner: Library, request: k8s.RequestContext, timeoutMs: number): Promise<{ response: k8s.ResponseContext; text: string }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new AttemptTimeout(timeoutMs)), timeoutMs);
  request.setSignal(controller.signal);
  try {
    const response = await inner.send(request);
    const bytes = await response.body.binary();
    const text = bytes.toString('utf8');
    const body = { text: async () => text, binary: async () => bytes };
    return { response: new k8sModule.ResponseContext(response.httpStatusCode, response.headers, body), text };
  } catch (error) {
    // node-fetch reports its own AbortError; say what happened instead.
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** client-node's HttpLibrary (Observable-based) sending every request under `policy`. */
export function policyHttpLibrary(k8sModule: typeof k8s, policy: RequestPolicy): k8s.HttpLibrary {
  const fetchLibrary = new k8sModule.IsomorphicFetchHttpLibrary();
  const inner: Library = { send: (request) => fetchLibrary.send(request).toPromise() };
  return k8sModule.wrapHttpLibrary({ send: (request) => sendUnderPolicy(k8sModule, inner, request, policy) });
}

// The request handler gitbeaker calls for every HTTP request. It replaces gitbeaker's own
// (@gitbeaker/rest retries 429 and 502 ten times, a fraction of a millisecond apart, and
// ignores Retry-After) so each request is retried in one place only: on 429 and 5xx, a
// bounded number of times, waiting as long as GitLab's Retry-After asks.
import type { RequestHandlerFn } from '@gitbeaker/requester-utils';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Wait before retry n (0-based) when the answer carries no Retry-After: base * 2^n. */
  baseDelayMs: number;
  /** A Retry-After longer than this is not waited for: the run fails instead. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxWaitMs: 60_000 };

/** A GitLab answer the handler gives up on: its status and GitLab's own message. */
export class GitLabHttpError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly endpoint: string,
    readonly attempts: number,
    readonly retryAfterMs?: number,
  ) {
    super(`GitLab answered HTTP ${status} for ${endpoint}${description ? ` (${description})` : ''}`);
    this.name = 'GitLabHttpError';
  }
}

/** No HTTP answer at all (refused, DNS, TLS, timeout). */
export class GitLabUnreachableError extends Error {
  constructor(readonly reason: string) {
    super(`no answer (${reason})`);
    this.name = 'GitLabUnreachableError';
  }
}

export const isRetryable = (status: number) => status === 429 || status >= 500;

/** Network errors of a connection that was there and went away (not a refused or unknown host). */
const RESET = ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'];

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

type Notify = (message: string) => void;

export function retryingRequestHandler(policy: RetryPolicy, notify: Notify, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): RequestHandlerFn {
  return async (endpoint, options = {}) => {
    const { prefixUrl, searchParams, method, headers, body, signal, asStream } = options as {
      prefixUrl?: string;
      searchParams?: string;
      method?: string;
      headers?: Record<string, string>;
      body?: string;
      signal?: AbortSignal;
      asStream?: boolean;
    };
    const url = new URL(endpoint, prefixUrl?.endsWith('/') ? prefixUrl : `${prefixUrl}/`);
    url.search = searchParams ?? '';
    // for messages: the API path, e.g. groups/mson/milestones (gitbeaker's endpoint lacks the resource prefix)
    const where = decodeURIComponent(url.pathname.replace(/^.*?\/api\/v4\//, ''));
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, signal });
      } catch (error) {
        const reason = networkReason(error);
        // a kept-alive connection the server closed as the request went out: send a GET again, quietly, as browsers do
        if ((method ?? 'GET') === 'GET' && RESET.includes(reason) && attempt < policy.retries) continue;
        throw new GitLabUnreachableError(reason);
      }
      if (response.ok) {
        const responseHeaders = Object.fromEntries(response.headers.entries());
        return { status: response.status, headers: responseHeaders, body: asStream ? (response.body as never) : await readBody(response) };
      }
      const description = await errorDescription(response);
      const wait = retryAfterMs(response.headers.get('retry-after'));
      if (!isRetryable(response.status) || attempt >= policy.retries || (wait ?? 0) > policy.maxWaitMs) {
        throw new GitLabHttpError(response.status, description, where, attempt + 1, wait);
      }
      const delay = wait ?? policy.baseDelayMs * 2 ** attempt;
      notify(`gitlab: HTTP ${response.status} for ${where}; retry ${attempt + 1} of ${policy.retries} in ${formatWait(delay)}${wait !== undefined ? ' (Retry-After)' : ''}`);
      await sleep(delay);
    }
  };
}

async function readBody(response: Response): Promise<never> {
  if (response.status === 204) return null as never;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (type === 'application/json') return ((await response.json()) ?? {}) as never;
  return (await response.text()) as never;
}

/** GitLab's `{"message": ...}` or `{"error": ...}`, or the text of a plain body, on one line. */
async function errorDescription(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  let description = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const value = parsed.message ?? parsed.error_description ?? parsed.error;
    description = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    // not JSON: a proxy's or Rack::Attack's plain text
  }
  return description.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function networkReason(error: unknown): string {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  // fetch's TypeError("fetch failed") carries the real reason as its cause
  let current: unknown = error;
  let message = (error as Error)?.message;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    message = (current as Error).message ?? message;
    current = (current as { cause?: unknown }).cause;
  }
  return message?.split('\n')[0] ?? 'no answer';
}

function formatWait(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10}s` : `${ms}ms`;
}

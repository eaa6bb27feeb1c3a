// The request handler gitbeaker calls for every HTTP request. It replaces gitbeaker's own
// (@gitbeaker/rest retries 429 and 502 ten times, a fraction of a millisecond apart, and
// ignores Retry-After) so each request is retried in one place only: on 429 and 5xx, a
// bounded number of times, waiting as long as GitLab's Retry-After asks.
import type { RequestHandlerFn } from '@gitbeaker/requester-utils';
import { answerText, Backoff, formatWait, isRetryable, networkReason, RESET_CODES, retryAfterMs, statusLine, type AnswerText, type RetryPolicy } from '../util/http-retry.js';

export { DEFAULT_RETRY, type RetryPolicy } from '../util/http-retry.js';

/** A GitLab answer the handler gives up on: its status and GitLab's own message. */
export class GitLabHttpError extends Error {
  constructor(
    readonly status: number,
    readonly answer: AnswerText,
    readonly endpoint: string,
    readonly attempts: number,
    readonly retryAfterMs?: number,
  ) {
    super(`GitLab answered ${statusLine(status, answer)} for ${endpoint}`);
    this.name = 'GitLabHttpError';
  }

  /** "HTTP 404 (404 Group Not Found)", never an HTML page. */
  get statusLine(): string {
    return statusLine(this.status, this.answer);
  }
}

/** No HTTP answer at all (refused, DNS, TLS, timeout). */
export class GitLabUnreachableError extends Error {
  constructor(readonly reason: string) {
    super(`no answer (${reason})`);
    this.name = 'GitLabUnreachableError';
  }
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
    const backoff = new Backoff({ initialMs: policy.baseDelayMs, maxMs: policy.maxWaitMs });
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body, signal });
      } catch (error) {
        const reason = networkReason(error);
        // a kept-alive connection the server closed as the request went out: send a GET again, quietly, as browsers do
        if ((method ?? 'GET') === 'GET' && RESET_CODES.includes(reason) && attempt < policy.retries) continue;
        throw new GitLabUnreachableError(reason);
      }
      if (response.ok) {
        const responseHeaders = Object.fromEntries(response.headers.entries());
        return { status: response.status, headers: responseHeaders, body: asStream ? (response.body as never) : await readBody(response) };
      }
      const answer = await answerText(response);
      const wait = retryAfterMs(response.headers.get('retry-after'));
      if (!isRetryable(response.status) || attempt >= policy.retries || (wait ?? 0) > policy.maxWaitMs) {
        throw new GitLabHttpError(response.status, answer, where, attempt + 1, wait);
      }
      const delay = wait ?? backoff.next();
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

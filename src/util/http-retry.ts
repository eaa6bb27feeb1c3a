// What the GitLab clients (the roadmap's gitbeaker handler, the legacy state API) share
// about a server's bad minutes: which answers are worth another try, how long to wait,
// and how to say in one line what came back, even when it is a proxy's HTML page.
import { STATUS_CODES } from 'node:http';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Wait before the first retry when the answer carries no Retry-After; it doubles each retry, with jitter (Backoff). */
  baseDelayMs: number;
  /** A Retry-After longer than this is not waited for: the run fails instead. */
  maxWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxWaitMs: 60_000 };

/** Answers worth another try: too many requests, and the server (or its proxy) failing for now. 501 and 505 are final. */
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
export const isRetryable = (status: number) => TRANSIENT_STATUS.has(status);

/** Network errors of a connection that was there and went away (not a refused or unknown host). */
export const RESET_CODES = ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'];

/**
 * Exponential backoff with jitter, as client-go's: the delay doubles from `initialMs` up to
 * `maxMs`, each with up to as much again at random, so that clients that failed together
 * do not come back together.
 */
export class Backoff {
  private step = 0;
  constructor(private readonly settings: { initialMs: number; maxMs: number }) {}

  next(): number {
    const base = Math.min(this.settings.maxMs, this.settings.initialMs * 2 ** this.step);
    this.step++;
    return Math.round(base * (1 + Math.random()));
  }

  reset(): void {
    this.step = 0;
  }
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The system's code of a failed connection (ECONNREFUSED, ECONNRESET, ...), along the
 * error's cause chain (fetch's TypeError("fetch failed") and node-fetch carry it there);
 * "socket hang up" is a reset. Undefined when there is none.
 */
export function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (/socket hang up/i.test(String((current as Error).message))) return 'ECONNRESET';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Why fetch got no answer: the system's code, "timed out", or the first line of the message. */
export function networkReason(error: unknown): string {
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  let message = (error as Error)?.message;
  for (let current = (error as { cause?: unknown })?.cause; current; current = (current as { cause?: unknown }).cause) message = (current as Error).message ?? message;
  return networkCode(error) ?? message?.split('\n')[0] ?? 'no answer';
}

/** A wait for people: "500ms", "1.5s", "4s", "45s", "3m", "4m30s". */
export function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 10) return `${Math.round(s * 10) / 10}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s % 60);
  return rest ? `${m}m${rest}s` : `${m}m`;
}

/** What an error answer said, on one line and without markup. */
export interface AnswerText {
  /** GitLab's `{"message": ...}` / `{"error": ...}`, a plain body, or an HTML page's title ('' when none). */
  description: string;
  /** The body was an HTML page (a proxy's or GitLab's own 502/503 page), not the API's answer. */
  page: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export async function answerText(response: Response): Promise<AnswerText> {
  const text = await response.text().catch(() => '');
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/html' || /^\s*<(!doctype|html)/i.test(text)) {
    const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1] ?? '';
    const plain = title.replace(/&(#\d+|\w+);/g, (all, name: string) => (name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : (ENTITIES[name] ?? all)));
    return { description: oneLine(plain), page: true };
  }
  let description = text;
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const value = parsed.message ?? parsed.error_description ?? parsed.error;
    if (value !== undefined) description = typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    // not JSON: a proxy's or Rack::Attack's plain text
  }
  return { description: oneLine(description), page: false };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

/**
 * "HTTP 403 (GitLab's message)"; for an HTML page the status's own words and at most the
 * page's title: "HTTP 503 Service Unavailable (GitLab is not responding (503))".
 */
export function statusLine(status: number, answer: AnswerText): string {
  const reason = answer.page && STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : '';
  return `HTTP ${status}${reason}${answer.description ? ` (${answer.description})` : ''}`;
}

// Fault injection for the test Kubernetes API: what a real API server (or the load
// balancer in front of it) does on a bad minute, with the bodies the real one sends.
// Sources (kubernetes v1.32): apimachinery/pkg/api/errors (NewInternalError,
// NewServiceUnavailable, NewTimeoutError, NewTooManyRequests, NewResourceExpired),
// apiserver/pkg/endpoints/handlers/responsewriters (ErrorNegotiated sets Retry-After from
// details.retryAfterSeconds), apiserver/pkg/server/filters/maxinflight.go and
// priority-and-fairness.go (429 as text/plain "Too many requests, please try again later."
// with Retry-After), apiserver/pkg/storage/cacher (410 "too old resource version: X (Y)"
// as an ERROR event inside the watch stream).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusBody, type StatusDetails } from './errors.js';

export type Fault =
  /** A Status answer with the real reason and message; 429s from the in-flight limit are text/plain. */
  | { kind: 'status'; code: number; message?: string; retryAfterSeconds?: number; plain?: boolean }
  /** The connection is reset with no answer (a restarting server, a dropped connection). */
  | { kind: 'reset' }
  /** No answer at all, until the client gives up. */
  | { kind: 'hang' }
  /** The normal answer, `ms` late. */
  | { kind: 'delay'; ms: number }
  /** 200 and the first bytes of a body, then nothing more (a server stuck mid-answer). */
  | { kind: 'stall-body' }
  /** A watch is served, then its connection is cut after `afterMs` (mid-stream). */
  | { kind: 'cut-watch'; afterMs: number }
  /** A watch answers 200, then one ERROR event: 410 Expired, too old a resourceVersion. */
  | { kind: 'gone-event' }
  /** The request is carried out, but its answer is lost on the way: the connection drops instead. */
  | { kind: 'lose-answer' };

export interface FaultMatch {
  method?: string;
  path?: RegExp;
  /** true: only watches; false: no watches; absent: both. */
  watch?: boolean;
  /** The request body contains this (a restore PATCH carries `"foundation/drain":null`). */
  body?: string;
}

export interface FaultRule {
  fault: Fault;
  match: FaultMatch;
  /** How many more matching requests get it (Infinity: until removed or `until`). */
  remaining: number;
  /** Until this time (epoch ms), when set. */
  until?: number;
}

export interface FaultRequest {
  method: string;
  path: string;
  watch: boolean;
  body: string;
}

/** The rule the request meets first, counted down; undefined when none. */
export function takeFault(rules: FaultRule[], request: FaultRequest): Fault | undefined {
  const now = Date.now();
  for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.until !== undefined && rules[i]!.until! <= now) rules.splice(i, 1);
  const index = rules.findIndex(({ match }) =>
    (match.method === undefined || match.method.toUpperCase() === request.method) &&
    (match.path === undefined || match.path.test(request.path)) &&
    (match.watch === undefined || match.watch === request.watch) &&
    (match.body === undefined || request.body.includes(match.body)),
  );
  if (index < 0) return undefined;
  const rule = rules[index]!;
  rule.remaining -= 1;
  if (rule.remaining <= 0) rules.splice(index, 1);
  return rule.fault;
}

const MESSAGES: Record<number, { message: string; reason?: string; details?: StatusDetails }> = {
  429: { message: 'Too many requests, please try again later.' },
  500: { message: 'Internal error occurred: etcdserver: leader changed', details: { causes: [{ reason: '', message: 'etcdserver: leader changed', field: '' }] } },
  503: { message: 'the server is currently unable to handle the request' },
  504: { message: 'Timeout: request did not complete within requested timeout - context deadline exceeded' },
};

/** nginx's page, as a load balancer in front of the API answers 502. */
const BAD_GATEWAY = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** Writes a `status` fault's answer as the real server (or its load balancer) would. */
export function sendFaultStatus(res: ServerResponse, fault: Extract<Fault, { kind: 'status' }>): void {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  if (fault.code === 502) {
    res.writeHead(502, { ...headers, 'Content-Type': 'text/html' });
    res.end(BAD_GATEWAY);
    return;
  }
  const known = MESSAGES[fault.code];
  const message = fault.message ?? known?.message ?? `injected failure (HTTP ${fault.code})`;
  if (fault.plain) {
    // http.Error: text/plain, the message and a newline.
    res.writeHead(fault.code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(`${message}\n`);
    return;
  }
  const details = fault.retryAfterSeconds !== undefined ? { ...known?.details, retryAfterSeconds: fault.retryAfterSeconds } : known?.details;
  res.writeHead(fault.code, { ...headers, 'Content-Type': 'application/json' });
  res.end(JSON.stringify(statusBody(fault.code, message, undefined, details as StatusDetails | undefined)));
}

/** A watch's answer that says "list again": 200, then an ERROR event with 410 Expired. */
export function sendGoneEvent(res: ServerResponse, since: string, current: number): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.end(`${JSON.stringify({ type: 'ERROR', object: statusBody(410, `too old resource version: ${since} (${current})`, 'Expired') })}\n`);
}

/** Whatever the handler answers is dropped with the connection: the write happened, the client never hears of it. */
export function loseAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead = (() => res) as never;
  res.write = (() => true) as never;
  res.end = (() => {
    req.socket.destroy();
    return res;
  }) as never;
}

/** Drops the connection with no answer: the client sees ECONNRESET ("socket hang up"). TLS sockets cannot send a bare RST. */
export function resetConnection(req: IncomingMessage): void {
  req.socket.destroy();
}

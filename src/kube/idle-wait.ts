import { onInterrupt } from '../tofu/signals.js';
import { ARC_GROUP, ARC_VERSION, listRunners, toRunner, type ArcObject, type Runner, type ScaleSet } from './arc.js';
import { kubeError, transientFailure, withPolicy, type KubeClient } from './client.js';
import { Backoff, formatWait, networkCode } from '../util/http-retry.js';
import { DEFAULT_POLICY, transientReason } from './request-policy.js';

export type WaitOutcome = 'idle' | 'timeout' | 'interrupted' | 'aborted' | 'api-down';

export interface WaitOptions {
  timeoutMs: number;
  /** How long the API may fail every LIST and WATCH before the wait gives up ('api-down'). */
  outageMs: number;
  progress: (busy: Runner[]) => void;
  /** Said while the API does not answer. */
  notice: (text: string) => void;
  /** A lost Lease: ends the wait. */
  abort?: AbortSignal;
}

/** The reflector's re-list backoff in client-go: 800 ms doubling to 30 s, reset after 2 min without one. */
const RELIST_BACKOFF = { initialMs: 800, maxMs: 30_000 };
const RELIST_RESET_MS = 120_000;
/** One LIST attempt at a time: the wait's own loop does the retrying, with the outage bound. */
const LIST_POLICY = { ...DEFAULT_POLICY, budgetMs: 0, maxAttempts: 1 };
/** Past the server-side timeoutSeconds, a watch this quiet is taken as dead. */
const WATCH_IDLE_GRACE_MS = 30_000;

type Stopped = 'interrupted' | 'aborted' | 'timeout';
type WatchEnd = { end: 'closed' | 'gone' | 'idle' | Stopped } | { end: 'failed'; reason: string; status?: number };

/**
 * Waits until no runner of the scale sets is busy, as client-go's reflector would: a LIST,
 * then a WATCH from its resourceVersion; when the watch ends (server timeout, a cut
 * connection, 410 Gone as a status or as an ERROR event) a new LIST and WATCH follow after
 * a backoff, never in a hot loop: under a second, growing to 30 s while LISTs and WATCHes
 * keep failing. Failures are an outage, ridden out up to `outageMs`; only a longer one
 * gives 'api-down'. Runners are matched to scale
 * sets by their owner chain; a runner of a runner set created since the LIST makes it
 * list again. `progress` is called with the busy runners whenever that set changes.
 */
export async function waitUntilIdle(client: KubeClient, namespace: string, scaleSets: ScaleSet[], options: WaitOptions): Promise<{ outcome: WaitOutcome; reason?: string }> {
  const { abort } = options;
  const deadline = Date.now() + options.timeoutMs;
  const lister = withPolicy(client, LIST_POLICY);
  const backoff = new Backoff(RELIST_BACKOFF);
  let lastBackoffAt = 0;
  const nextDelay = () => {
    if (Date.now() - lastBackoffAt > RELIST_RESET_MS) backoff.reset();
    lastBackoffAt = Date.now();
    return backoff.next();
  };
  let outageSince: number | undefined;
  /** The delay before the next LIST, when a failure already drew it. */
  let drawn: number | undefined;
  let last = '';
  const report = (runners: Iterable<Runner>) => {
    const busy = [...runners].filter((r) => r.busy).sort((a, b) => a.name.localeCompare(b.name));
    const key = busy.map((r) => r.name).join(',');
    if (key !== last || last === '') options.progress(busy);
    last = key || 'none';
    return busy.length;
  };
  let stop: ((outcome: Stopped) => void) | undefined;
  const unsubscribe = onInterrupt(() => stop?.('interrupted'));
  const onAbort = () => stop?.('aborted');
  abort?.addEventListener('abort', onAbort);
  /** Waits `ms`, unless interrupted, aborted or past the deadline first. */
  const pause = (ms: number) =>
    new Promise<Stopped | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), Math.min(ms, Math.max(0, deadline - Date.now())));
      stop = (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
    });
  /** A failed LIST or WATCH: the outage goes on, or has lasted longer than allowed (the outcome then). */
  const failed = (reason: string): { outcome: WaitOutcome; reason: string } | undefined => {
    outageSince ??= Date.now();
    const down = Date.now() - outageSince;
    if (down >= options.outageMs) return { outcome: 'api-down', reason: `${reason}; no answer for ${formatWait(down)}` };
    drawn = nextDelay();
    options.notice(`drain: the Kubernetes API did not answer (${reason}); looking again in ${formatWait(drawn)} (no answer for ${formatWait(down)} of the ${formatWait(options.outageMs)} allowed)\n`);
    return undefined;
  };
  try {
    for (let first = true; ; first = false) {
      if (abort?.aborted) return { outcome: 'aborted' };
      if (!first) {
        const stopped = await pause(drawn ?? nextDelay());
        drawn = undefined;
        if (stopped) return { outcome: stopped };
      }
      if (Date.now() >= deadline) return { outcome: 'timeout' };
      let listed;
      try {
        listed = await listRunners(lister, namespace, scaleSets);
      } catch (error) {
        const reason = transientFailure(error);
        if (!reason) throw kubeError(lister, error, `list the runners in ${namespace}`);
        const gaveUp = failed(reason);
        if (gaveUp) return gaveUp;
        continue;
      }
      outageSince = undefined;
      const { runners, resourceVersion, ownership } = listed;
      const byName = new Map(runners.map((r) => [r.name, r]));
      if (report(byName.values()) === 0) return { outcome: 'idle' };
      const ended = await watchRunners(client, namespace, resourceVersion, deadline, (stopWatch) => (stop = stopWatch), (type, object) => {
        const scaleSet = ownership.scaleSetOf(object);
        if (scaleSet === 'unknown') return 'closed'; // a new runner set: list both again
        const runner = toRunner(object, scaleSet ?? '');
        if (type === 'DELETED' || scaleSet === null) byName.delete(runner.name);
        else byName.set(runner.name, runner);
        return report(byName.values()) === 0 ? 'idle' : undefined;
      });
      if (ended.end === 'failed') {
        if (ended.status !== undefined && !transientReason(ended.status)) {
          throw kubeError(client, Object.assign(new Error(ended.reason), { code: ended.status }), `watch the runners in ${namespace}`);
        }
        const gaveUp = failed(ended.reason);
        if (gaveUp) return gaveUp;
      } else if (ended.end === 'closed' || ended.end === 'gone') {
        // A watch that ended as watches do (its timeout, 410 after a restart): no sign of a struggling server.
        backoff.reset();
      } else {
        return { outcome: ended.end };
      }
    }
  } finally {
    unsubscribe();
    abort?.removeEventListener('abort', onAbort);
  }
}

/**
 * One WATCH of the namespace's EphemeralRunners from `resourceVersion`, until the
 * server ends it (timeoutSeconds), it fails, it goes quiet past its timeout, or
 * `onEvent` says the wait is over. A 410 (too old a resourceVersion, as a status or as an
 * ERROR event in the stream) is 'gone': list again.
 */
function watchRunners(
  client: KubeClient,
  namespace: string,
  resourceVersion: string,
  deadline: number,
  setStop: (stop: (outcome: Stopped) => void) => void,
  onEvent: (type: string, object: ArcObject) => 'idle' | 'closed' | undefined,
): Promise<WatchEnd> {
  // Server-side timeout: a minute or two (client-go takes 5–10 min), never past the deadline.
  const timeoutSeconds = Math.max(1, Math.min(Math.ceil((deadline - Date.now()) / 1000), 60 + Math.floor(Math.random() * 60)));
  return new Promise<WatchEnd>((resolve) => {
    let controller: AbortController | undefined;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    // Settle before aborting: the abort calls the watch's done callback synchronously.
    const finish = (result: WatchEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(idle);
      resolve(result);
      controller?.abort();
    };
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish({ end: 'failed', reason: `the watch was silent for ${timeoutSeconds}s past its timeout` }), timeoutSeconds * 1000 + WATCH_IDLE_GRACE_MS);
    };
    setStop((outcome) => finish({ end: outcome }));
    const timer = setTimeout(() => finish({ end: 'timeout' }), Math.max(0, deadline - Date.now()));
    quiet();
    new client.k8s.Watch(client.config)
      .watch(
        `/apis/${ARC_GROUP}/${ARC_VERSION}/namespaces/${namespace}/ephemeralrunners`,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
        (type, object: ArcObject & { code?: number; message?: string }) => {
          quiet();
          if (type === 'BOOKMARK') return;
          if (type === 'ERROR') {
            finish(object.code === 410 ? { end: 'gone' } : { end: 'failed', reason: `the watch ended with HTTP ${object.code ?? '?'}${object.message ? ` (${object.message})` : ''}`, status: object.code });
            return;
          }
          const verdict = onEvent(type, object);
          if (verdict === 'idle') finish({ end: 'idle' });
          else if (verdict === 'closed') finish({ end: 'closed' });
        },
        (error: unknown) => finish(watchEnd(error)),
      )
      .then(
        (c) => {
          controller = c;
          if (settled) c.abort(); // settled before the watch was established
        },
        (error: unknown) => finish(watchEnd(error)),
      );
  });
}

/** How a watch's connection ended: normally, gone (410), or failed with a reason. */
function watchEnd(error: unknown): WatchEnd {
  if (!error) return { end: 'closed' };
  const status = (error as { statusCode?: unknown }).statusCode;
  if (status === 410) return { end: 'gone' };
  if (typeof status === 'number') return { end: 'failed', reason: `HTTP ${status}`, status };
  if ((error as Error).name === 'AbortError') return { end: 'closed' };
  return { end: 'failed', reason: networkCode(error) ?? (error as Error).message ?? 'the watch failed' };
}

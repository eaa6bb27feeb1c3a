import { onInterrupt } from '../tofu/signals.js';
import { ARC_GROUP, ARC_VERSION, listRunners, toRunner, type ArcObject, type Runner, type ScaleSet } from './arc.js';
import type { KubeClient } from './client.js';

export type WaitOutcome = 'idle' | 'timeout' | 'interrupted' | 'aborted';

/**
 * Waits until no runner of the scale sets is busy: one LIST, then a WATCH from its
 * resourceVersion, re-listing if the server ends the watch. Runners are matched to scale
 * sets by their owner chain, so the watch covers the namespace's runners, and a runner of
 * a runner set created since the LIST makes it list again. `progress` is called with the
 * busy runners whenever that set changes; `abort` (a lost Lease) ends the wait.
 */
export async function waitUntilIdle(
  client: KubeClient,
  namespace: string,
  scaleSets: ScaleSet[],
  { timeoutMs, progress, abort }: { timeoutMs: number; progress: (busy: Runner[]) => void; abort?: AbortSignal },
): Promise<WaitOutcome> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  const report = (runners: Iterable<Runner>) => {
    const busy = [...runners].filter((r) => r.busy).sort((a, b) => a.name.localeCompare(b.name));
    const key = busy.map((r) => r.name).join(',');
    if (key !== last || last === '') progress(busy);
    last = key || 'none';
    return busy.length;
  };
  let stop: ((outcome: WaitOutcome) => void) | undefined;
  const unsubscribe = onInterrupt(() => stop?.('interrupted'));
  const onAbort = () => stop?.('aborted');
  abort?.addEventListener('abort', onAbort);
  try {
    for (;;) {
      if (abort?.aborted) return 'aborted';
      const { runners, resourceVersion, ownership } = await listRunners(client, namespace, scaleSets);
      const byName = new Map(runners.map((r) => [r.name, r]));
      if (report(byName.values()) === 0) return 'idle';
      const outcome = await new Promise<WaitOutcome | 'closed'>((resolve) => {
        let controller: AbortController | undefined;
        let settled = false;
        // Settle before aborting: the abort calls the watch's done callback synchronously.
        const finish = (result: WaitOutcome | 'closed') => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(result);
          controller?.abort();
        };
        stop = finish;
        const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
        new client.k8s.Watch(client.config)
          .watch(
            `/apis/${ARC_GROUP}/${ARC_VERSION}/namespaces/${namespace}/ephemeralrunners`,
            { resourceVersion, allowWatchBookmarks: true },
            (type, object: ArcObject) => {
              if (type === 'BOOKMARK' || type === 'ERROR') return;
              const scaleSet = ownership.scaleSetOf(object);
              if (scaleSet === 'unknown') return finish('closed'); // a new runner set: list both again
              const runner = toRunner(object, scaleSet ?? '');
              if (type === 'DELETED' || scaleSet === null) byName.delete(runner.name);
              else byName.set(runner.name, runner);
              if (report(byName.values()) === 0) finish('idle');
            },
            () => finish('closed'),
          )
          .then(
            (c) => {
              controller = c;
              if (settled) c.abort(); // settled before the watch was established
            },
            () => finish('closed'),
          );
      });
      if (outcome !== 'closed') return outcome;
      if (Date.now() >= deadline) return 'timeout';
    }
  } finally {
    unsubscribe();
    abort?.removeEventListener('abort', onAbort);
  }
}

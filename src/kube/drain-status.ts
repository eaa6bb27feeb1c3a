import { listRunners, scaleSetsIn } from './arc.js';
import { DRAIN_LEASE, readRecord, type DrainRecord, type DrainTarget } from './drain.js';
import { leaseView, type LeaseView } from './lease.js';

export interface DrainStatus {
  stack: string;
  namespace: string;
  context: string;
  lease: LeaseView | null;
  scaleSets: Array<{
    name: string;
    /** Current caps. */
    minRunners: number | null;
    maxRunners: number | null;
    currentRunners: number;
    runners: number;
    busyRunners: number;
    /** The recorded originals, when drained. */
    drain: DrainRecord | null;
  }>;
}

/**
 * Each scale set's caps, runners, busy runners and any recorded drain, plus the Lease.
 * Scale sets carrying this stack's record are shown too when the stack file no longer
 * names or selects them (relabelled since the drain).
 */
export async function drainStatus(target: DrainTarget): Promise<DrainStatus> {
  const { client, config } = target;
  const all = await scaleSetsIn(client, config.namespace);
  const shown = all.filter((s) => target.scaleSets.some((t) => t.uid === s.uid) || readRecord(s)?.stack === target.stack.name);
  const [{ runners }, lease] = await Promise.all([listRunners(client, config.namespace, shown), leaseView(client, config.namespace, DRAIN_LEASE)]);
  return {
    stack: target.stack.name,
    namespace: config.namespace,
    context: client.context,
    lease: lease ?? null,
    scaleSets: shown.map((s) => {
      const own = runners.filter((r) => r.scaleSet === s.name);
      return {
        name: s.name,
        minRunners: s.minRunners,
        maxRunners: s.maxRunners,
        currentRunners: s.currentRunners,
        runners: own.length,
        busyRunners: own.filter((r) => r.busy).length,
        drain: readRecord(s) ?? null,
      };
    }),
  };
}

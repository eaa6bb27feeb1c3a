import { listRunners } from './arc.js';
import { DRAIN_LEASE, readRecord, type DrainRecord, type DrainTarget } from './drain.js';
import { leaseHolder } from './lease.js';

export interface DrainStatus {
  stack: string;
  namespace: string;
  context: string;
  lease: { holder: string; renewTime?: string; stale: boolean } | null;
  scaleSets: Array<{
    name: string;
    minRunners: number | null;
    maxRunners: number | null;
    currentRunners: number;
    runners: number;
    busyRunners: number;
    drain: DrainRecord | null;
  }>;
}

/** Each scale set's caps, runners, busy runners and any recorded drain, plus who holds the drain Lease. */
export async function drainStatus(target: DrainTarget): Promise<DrainStatus> {
  const { client, config, scaleSets } = target;
  const [{ runners }, lease] = await Promise.all([listRunners(client, config.namespace, scaleSets), leaseHolder(client, config.namespace, DRAIN_LEASE)]);
  return {
    stack: target.stack.name,
    namespace: config.namespace,
    context: client.context,
    lease: lease ?? null,
    scaleSets: scaleSets.map((s) => {
      const own = runners.filter((r) => r.scaleSet === s.label);
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

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { RefusedError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { apiStatus, kubeError, type KubeClient } from './client.js';

const LEASE_SECONDS = 60;

export interface HeldLease {
  holder: string;
  release(): Promise<void>;
}

/** Who holds a lease: host and pid, so a lease left by a dead process on this host can be taken over at once. */
export function holderIdentity(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`;
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string | Date; acquireTime?: string | Date };
}

/**
 * Takes the coordination.k8s.io Lease that lets one drain at a time touch a namespace's
 * scale sets, and renews it until released. A lease that expired, or whose holder was a
 * process on this host that no longer runs, is taken over; a live one is a refusal.
 */
export async function acquireLease(client: KubeClient, namespace: string, name: string, holder: string, hint: string): Promise<HeldLease> {
  const api = client.coordination;
  const spec = () => ({ holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: new Date(), renewTime: new Date() });
  try {
    await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'foundation' } }, spec: spec() as never } });
  } catch (error) {
    if (apiStatus(error) !== 409) throw kubeError(client, error, `create Lease ${namespace}/${name}`);
    const current = (await api.readNamespacedLease({ name, namespace }).catch((e: unknown) => Promise.reject(kubeError(client, e, `read Lease ${namespace}/${name}`)))) as LeaseObject;
    const other = current.spec?.holderIdentity ?? '(unknown)';
    if (!leaseIsStale(current)) {
      throw new RefusedError(`another drain holds the Lease ${namespace}/${name} (holder ${other})`, hint);
    }
    try {
      await api.replaceNamespacedLease({ name, namespace, body: { metadata: { name, namespace, resourceVersion: current.metadata?.resourceVersion }, spec: spec() as never } });
    } catch (replaceError) {
      if (apiStatus(replaceError) === 409) throw new RefusedError(`another drain took the Lease ${namespace}/${name} first`, hint);
      throw kubeError(client, replaceError, `take over Lease ${namespace}/${name}`);
    }
  }
  const renew = setInterval(() => {
    api
      .readNamespacedLease({ name, namespace })
      .then((lease) => api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, renewTime: new Date() as never } } }))
      .catch(() => printErr(`warning: could not renew the Lease ${namespace}/${name}; it expires ${LEASE_SECONDS}s after the last renewal`));
  }, (LEASE_SECONDS / 3) * 1000);
  renew.unref();
  return {
    holder,
    release: async () => {
      clearInterval(renew);
      try {
        const lease = (await api.readNamespacedLease({ name, namespace })) as LeaseObject;
        if (lease.spec?.holderIdentity === holder) await api.deleteNamespacedLease({ name, namespace });
      } catch (error) {
        if (apiStatus(error) !== 404) throw kubeError(client, error, `release Lease ${namespace}/${name}`);
      }
    },
  };
}

/** The lease's holder, or undefined when there is none (for --status). */
export async function leaseHolder(client: KubeClient, namespace: string, name: string): Promise<{ holder: string; renewTime?: string; stale: boolean } | undefined> {
  try {
    const lease = (await client.coordination.readNamespacedLease({ name, namespace })) as LeaseObject;
    return { holder: lease.spec?.holderIdentity ?? '(unknown)', renewTime: lease.spec?.renewTime ? new Date(lease.spec.renewTime).toISOString() : undefined, stale: leaseIsStale(lease) };
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw kubeError(client, error, `read Lease ${namespace}/${name}`);
  }
}

function leaseIsStale(lease: LeaseObject): boolean {
  const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
  if (Date.now() > renewed + (lease.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000) return true;
  const [host, pid] = (lease.spec?.holderIdentity ?? '').split('/');
  return host === hostname() && Number(pid) > 0 && !processAlive(Number(pid));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

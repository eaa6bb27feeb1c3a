import type { V1Lease } from '@kubernetes/client-node';
import { onInterrupt } from '../tofu/signals.js';
import { FoundationError, RefusedError } from '../ui/errors.js';
import { apiStatus, kubeError, withPolicy, type KubeClient } from './client.js';
import { formatIdentity, holderIsDeadHere, ownIdentity, parseIdentity } from './identity.js';
import { formatWait } from '../util/http-retry.js';
import { DEFAULT_POLICY, type PolicySettings } from './request-policy.js';

const DEFAULT_LEASE_SECONDS = 60;
/** How often a waiting run looks at the Lease again (client-go's RetryPeriod). */
const RETRY_MS = 2_000;

/** The drain Lease's duration: 60 s, or FOUNDATION_DRAIN_LEASE_SECONDS. Renewed every third of it. */
export function leaseSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.FOUNDATION_DRAIN_LEASE_SECONDS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_LEASE_SECONDS;
}

/** Without --lease-wait: a little over the holder's lease duration, so an abandoned Lease is waited out. */
export function defaultLeaseWaitMs(durationSeconds: number): number {
  return durationSeconds * 1000 + Math.max(5_000, durationSeconds * 200);
}

/** client-go's leader election: a Lease not renewed for two thirds of its duration is lost. */
export function renewDeadlineMs(durationSeconds: number): number {
  return (durationSeconds * 2000) / 3;
}

/**
 * A renewal's requests, `leftMs` before the renew deadline: each attempt a quarter of the
 * duration at most (10 s at most) and never past the deadline, retried quickly until it.
 */
function renewPolicy(durationSeconds: number, leftMs: number): PolicySettings {
  const ms = durationSeconds * 1000;
  return { attemptTimeoutMs: Math.min(10_000, ms / 4, leftMs), budgetMs: leftMs, maxAttempts: 100, backoff: { initialMs: Math.min(500, ms / 48), maxMs: Math.min(RETRY_MS, ms / 24) } };
}

/** Releasing is a courtesy: a Lease left behind expires on its own. */
const RELEASE_POLICY: PolicySettings = { ...DEFAULT_POLICY, attemptTimeoutMs: 5_000, budgetMs: 5_000 };

export interface HeldLease {
  holder: string;
  /** Aborted, with the reason as its message, when a renewal finds the Lease taken, deleted or not renewable in time. */
  lost: AbortSignal;
  /** Still ours: not lost, and renewed within the renew deadline (else it is marked lost now). */
  held(): boolean;
  /**
   * Stops renewing and deletes the Lease if it is still ours (preconditioned on our
   * resourceVersion). Never throws: when the API does not answer in time, the Lease is
   * left to expire and the returned text says so.
   */
  release(): Promise<string | undefined>;
}

export interface AcquireOptions {
  /** How long to wait for another holder's Lease to expire; default a little over its duration. */
  waitMs?: number;
  /** Progress while waiting. */
  progress?: (text: string) => void;
  /** The hint of the refusal when the wait gives up. */
  hint: string;
}

type Spec = NonNullable<V1Lease['spec']>;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))}s`;
}

/**
 * Takes the coordination.k8s.io Lease that lets one drain at a time touch a namespace's
 * scale sets, and renews it until released. Another holder's Lease is taken over when it
 * is free (no holder), when its holder is provably a dead process of this machine and PID
 * namespace, or when it has expired by local observation: like client-go's leader
 * election, its record has not changed for leaseDurationSeconds as seen by this process's
 * clock (no trust in the other host's clock). Until then this waits, up to `waitMs`.
 */
export async function acquireLease(client: KubeClient, namespace: string, name: string, options: AcquireOptions): Promise<HeldLease> {
  const api = client.coordination;
  const where = `${namespace}/${name}`;
  const holder = formatIdentity(ownIdentity());
  const duration = leaseSeconds();
  const now = () => new client.k8s.V1MicroTime();
  const started = Date.now();
  let observed: { record: string; at: number } | undefined;
  let lastReport = 0;
  let mayCreate = true;
  const interrupt = new AbortController();
  const unsubscribe = onInterrupt(() => interrupt.abort());
  try {
    for (;;) {
      if (interrupt.signal.aborted) throw new FoundationError(`interrupted while waiting for the Lease ${where}; nothing was drained`, 'run the command again when ready');
      const spec: Spec = { holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: now(), renewTime: now(), leaseTransitions: 0 };
      if (mayCreate) {
        try {
          const created = await api.createNamespacedLease({ namespace, body: { metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'foundation' } }, spec } });
          return renewing(client, created, holder);
        } catch (error) {
          if (apiStatus(error) !== 409) throw kubeError(client, error, `create Lease ${where}`);
        }
      }
      const current = await readLease(client, namespace, name);
      // Released since: create it. While it exists, waiting only reads it.
      mayCreate = !current;
      if (!current) continue;
      const other = current.spec?.holderIdentity ?? '';
      // Ours already: a create or takeover whose answer was lost on the way, then retried.
      if (other === holder) return renewing(client, current, holder);
      const record = JSON.stringify(current.spec ?? {});
      if (observed?.record !== record) observed = { record, at: Date.now() };
      const otherSeconds = current.spec?.leaseDurationSeconds ?? duration;
      const unchangedMs = Date.now() - observed.at;
      if (!other || unchangedMs >= otherSeconds * 1000 || holderIsDeadHere(parseIdentity(other))) {
        const transitions = (current.spec?.leaseTransitions ?? 0) + (other ? 1 : 0);
        try {
          const taken = await api.replaceNamespacedLease({ name, namespace, body: { metadata: metadataOf(current), spec: { ...spec, leaseTransitions: transitions } } });
          return renewing(client, taken, holder);
        } catch (error) {
          if (apiStatus(error) !== 409 && apiStatus(error) !== 404) throw kubeError(client, error, `take over Lease ${where}`);
          continue; // another run was faster, or it was released: look again
        }
      }
      const waitMs = options.waitMs ?? defaultLeaseWaitMs(otherSeconds);
      const left = waitMs - (Date.now() - started);
      if (left <= 0) {
        throw new RefusedError(
          `another drain holds the Lease ${where} (holder ${other}); it did not expire within the ${seconds(waitMs)} --lease-wait`,
          options.hint,
        );
      }
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        options.progress?.(`drain: the Lease ${where} is held by ${other}; unchanged for ${seconds(unchangedMs)} of its ${otherSeconds}s, waiting up to ${seconds(left)} more\n`);
      }
      await sleep(Math.min(left, RETRY_MS, Math.max(250, otherSeconds * 250)), interrupt.signal);
    }
  } finally {
    unsubscribe();
  }
}

async function readLease(client: KubeClient, namespace: string, name: string): Promise<V1Lease | undefined> {
  try {
    return await client.coordination.readNamespacedLease({ name, namespace });
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw kubeError(client, error, `read Lease ${namespace}/${name}`);
  }
}

/**
 * Renews every third of the duration with an update conditioned on the resourceVersion of
 * our last write: any other writer makes it a conflict. A conflict is only forgiven when
 * the Lease still names us with the record we wrote (someone annotated it, or our own
 * retried write landed). Each renewal's requests time out well inside the renew deadline
 * (two thirds of the duration after the last renewal) and are retried until it; a Lease
 * not renewed by then is lost.
 */
function renewing(client: KubeClient, initial: V1Lease, holder: string): HeldLease {
  const namespace = initial.metadata!.namespace!;
  const name = initial.metadata!.name!;
  const where = `${namespace}/${name}`;
  const duration = initial.spec?.leaseDurationSeconds ?? leaseSeconds();
  const deadlineMs = renewDeadlineMs(duration);
  const lost = new AbortController();
  let current = initial;
  let renewedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<unknown> = Promise.resolve();
  let stopped = false;
  /** The last renewal's failure, for the reason when the deadline passes. */
  let lastFailure: string | undefined;
  const lose = (reason: string) => lost.abort(new Error(reason));
  const overdue = () => Date.now() - renewedAt >= deadlineMs;
  /** Not renewed by the renew deadline: lost, with the last renewal's failure when there was one. */
  const loseOverdue = () => lose(`the Lease ${where} could not be renewed for ${seconds(Date.now() - renewedAt)}, past its ${seconds(deadlineMs)} renew deadline${lastFailure ? ` (${lastFailure})` : ''}`);

  /** True when renewed; false to try again soon; the Lease is marked lost when it is not ours any more. */
  const renew = async (): Promise<boolean> => {
    if (overdue()) {
      loseOverdue();
      return false;
    }
    const deadline = renewedAt + deadlineMs;
    const policy = renewPolicy(duration, deadline - Date.now());
    const api = withPolicy(client, policy, deadline).coordination;
    const renewTime = new client.k8s.V1MicroTime();
    try {
      current = await api.replaceNamespacedLease({ name, namespace, body: { metadata: metadataOf(current), spec: { ...current.spec, renewTime } } });
      renewedAt = Date.now();
      lastFailure = undefined;
      return true;
    } catch (error) {
      const status = apiStatus(error);
      if (status === 409) {
        let seen: V1Lease | undefined;
        try {
          seen = await readLease(withPolicy(client, policy, deadline), namespace, name);
        } catch {
          if (overdue()) lose(`the Lease ${where} could not be read after a conflicting renewal, past its ${seconds(deadlineMs)} renew deadline`);
          return false; // could not look: try again, until the deadline
        }
        const seenTime = String(seen?.spec?.renewTime);
        // Still ours: only its metadata changed (someone annotated it), or our retried write had landed.
        const ours = seenTime === renewTime.toISOString();
        if (seen?.spec?.holderIdentity === holder && (ours || seenTime === String(current.spec?.renewTime))) {
          if (ours) renewedAt = Date.now();
          current = seen;
          return false;
        }
        lose(seen ? `the Lease ${where} was changed by another writer (holder now ${seen.spec?.holderIdentity || 'none'})` : `the Lease ${where} was deleted`);
      } else if (status === 404) {
        lose(`the Lease ${where} was deleted`);
      } else {
        lastFailure = kubeError(client, error, 'renew it').message;
        if (overdue()) loseOverdue();
      }
      return false;
    }
  };
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      inflight = renew().then((renewed) => {
        // After a failure: soon, and at the latest at the deadline, where the Lease is lost if not renewed by then.
        if (!stopped && !lost.signal.aborted) schedule(renewed ? (duration * 1000) / 3 : Math.max(0, Math.min(RETRY_MS, (duration * 1000) / 6, renewedAt + deadlineMs - Date.now())));
      });
    }, ms);
    timer.unref();
  };
  schedule((duration * 1000) / 3);

  return {
    holder,
    lost: lost.signal,
    held: () => {
      if (!lost.signal.aborted && overdue()) loseOverdue();
      return !lost.signal.aborted;
    },
    release: async () => {
      stopped = true;
      clearTimeout(timer);
      await inflight; // a renewal under way moves the resourceVersion the delete is conditioned on
      if (lost.signal.aborted) return undefined; // not ours any more: leave it to its holder
      try {
        await withPolicy(client, RELEASE_POLICY).coordination.deleteNamespacedLease({ name, namespace, body: { preconditions: { resourceVersion: current.metadata?.resourceVersion } } });
      } catch (error) {
        // 404: gone already; 409: someone wrote it since our last renewal, it is theirs now.
        if (apiStatus(error) === 404 || apiStatus(error) === 409) return undefined;
        return `could not release the drain Lease ${where} (${kubeError(client, error, 'delete it').message}); it is left to expire ${formatWait(duration * 1000)} after its last renewal, and the next drain takes it over then`;
      }
      return undefined;
    },
  };
}

/** What an update of the Lease sends as metadata: the identity, our resourceVersion, labels and annotations. */
function metadataOf(lease: V1Lease): V1Lease['metadata'] {
  const { name, namespace, resourceVersion, labels, annotations } = lease.metadata ?? {};
  return { name, namespace, resourceVersion, labels, annotations };
}

/** The reason a held Lease was lost. */
export function lostReason(lease: HeldLease): string {
  return (lease.lost.reason as Error | undefined)?.message ?? 'the Lease was lost';
}

export interface LeaseView {
  holder: string;
  acquireTime?: string;
  renewTime?: string;
  leaseDurationSeconds: number;
  /** Seconds since acquireTime (by the holder's clock). */
  ageSeconds?: number;
  /** Seconds until renewTime + duration (by the holder's clock; negative once past). */
  expiresInSeconds?: number;
  /** Past its expiry by the timestamps, or held by a dead process of this machine: a new drain takes it over. */
  stale: boolean;
}

/** The Lease as `drain --status` shows it, or undefined when there is none. */
export async function leaseView(client: KubeClient, namespace: string, name: string): Promise<LeaseView | undefined> {
  const lease = await readLease(client, namespace, name);
  if (!lease) return undefined;
  const spec = lease.spec ?? {};
  const duration = spec.leaseDurationSeconds ?? leaseSeconds();
  const at = (t: unknown) => (t ? new Date(String(t instanceof Date ? t.toISOString() : t)) : undefined);
  const acquired = at(spec.acquireTime);
  const renewed = at(spec.renewTime);
  const expiresIn = renewed ? Math.round((renewed.getTime() + duration * 1000 - Date.now()) / 1000) : undefined;
  return {
    holder: spec.holderIdentity ?? '',
    acquireTime: spec.acquireTime ? String(spec.acquireTime) : undefined,
    renewTime: spec.renewTime ? String(spec.renewTime) : undefined,
    leaseDurationSeconds: duration,
    ageSeconds: acquired ? Math.round((Date.now() - acquired.getTime()) / 1000) : undefined,
    expiresInSeconds: expiresIn,
    stale: !spec.holderIdentity || (expiresIn !== undefined && expiresIn < 0) || holderIsDeadHere(parseIdentity(spec.holderIdentity)),
  };
}

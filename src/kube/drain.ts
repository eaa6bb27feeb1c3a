import type { Project, Stack } from '../config/project.js';
import { kubeContextFor } from '../config/resolve.js';
import type { DrainConfig } from '../config/schema.js';
import type { StackIO } from '../ui/stack-io.js';
import { FoundationError, RefusedError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { parseDuration } from '../util/duration.js';
import { findRunner, listScaleSets, patchScaleSet, requireArcCrds, runnerOwnership, scaleSetsIn, type Runner, type ScaleSet } from './arc.js';
import { connectKube, withPolicy, type KubeClient } from './client.js';
import { capsInManifest, latestDeployed, releaseOf, type Caps, type ReleaseRef } from './helm-release.js';
import { waitUntilIdle } from './idle-wait.js';
import { acquireLease, leaseSeconds, lostReason, type HeldLease } from './lease.js';
import { formatWait } from '../util/http-retry.js';
import type { PolicySettings } from './request-policy.js';

/** On each drained scale set, written in the same patch that sets its caps to 0. */
export const DRAIN_ANNOTATION = 'foundation/drain';
/** One drain at a time per namespace. */
export const DRAIN_LEASE = 'foundation-drain';

/** What a drain recorded about a scale set before touching it. */
export interface DrainRecord extends Caps {
  stack: string;
  holder: string;
  drainedAt: string;
  /** The Helm release revision deployed at drain time: a newer one after the apply holds the new desired caps. */
  release: ReleaseRef | null;
}

export interface DrainTarget {
  client: KubeClient;
  stack: Stack;
  config: DrainConfig;
  scaleSets: ScaleSet[];
}

/**
 * Read-only checks, before anything runs: the context, the API, the ARC CRDs and every
 * scale set to drain. `lenient` (status, restore) takes the named scale sets that still
 * exist instead of refusing when one is gone.
 */
export async function connectDrainTarget(project: Project, stack: Stack, env: string, contextFlag?: string, { lenient = false } = {}): Promise<DrainTarget> {
  const config = stack.spec.apply.drain;
  if (!config) throw new FoundationError(`stack "${stack.name}" has no apply.drain block`, `add apply.drain to ${stack.file} to name the scale sets to drain`);
  const client = await connectKube(kubeContextFor(project, stack, env, contextFlag));
  await requireArcCrds(client);
  const scaleSets = lenient
    ? (await scaleSetsIn(client, config.namespace, config.selector)).filter((s) => !config.scaleSets || config.scaleSets.includes(s.name))
    : await listScaleSets(client, config.namespace, { names: config.scaleSets, selector: config.selector });
  return { client, stack, config, scaleSets };
}

/** Refuses when this job runs on a runner of a scale set the drain would take down (its RUNNER_NAME is an EphemeralRunner). */
export async function refuseSelfHosted(target: DrainTarget, runnerName = process.env.RUNNER_NAME): Promise<void> {
  if (!runnerName) return;
  const runner = await findRunner(target.client, target.config.namespace, runnerName);
  if (!runner) return;
  const own = (await runnerOwnership(target.client, target.config.namespace, target.scaleSets)).scaleSetOf(runner);
  if (own) {
    throw new RefusedError(
      `this job runs on runner ${runnerName} of scale set ${own}, which the apply of ${target.stack.name} would drain`,
      'run the apply on a lane outside the drained scale sets (the contract\'s non-shared heavy lane)',
    );
  }
}

export interface DrainOptions {
  timeoutMs: number;
  /** How long to wait for another holder's Lease to expire (--lease-wait). */
  leaseWaitMs?: number;
  /** How long a restore keeps trying (--restore-budget, apply.drain.restoreBudget). */
  restoreBudgetMs: number;
  /** How long the API may not answer while waiting for busy runners (--api-outage, apply.drain.apiOutage). */
  outageMs: number;
}

/** The flags that override a stack's apply.drain durations. */
export interface DrainFlags {
  drainTimeout?: string;
  leaseWait?: string;
  restoreBudget?: string;
  apiOutage?: string;
}

const FLAG_NAMES = { drainTimeout: '--drain-timeout', leaseWait: '--lease-wait', restoreBudget: '--restore-budget', apiOutage: '--api-outage' } as const;

/** The duration flags given, in ms; checked before anything runs, whether or not a selected stack drains. */
export function parseDrainFlags(flags: DrainFlags): Partial<Record<keyof DrainFlags, number>> {
  const parsed: Partial<Record<keyof DrainFlags, number>> = {};
  for (const key of Object.keys(FLAG_NAMES) as Array<keyof DrainFlags>) {
    if (flags[key] !== undefined) parsed[key] = parseDuration(flags[key], FLAG_NAMES[key]);
  }
  return parsed;
}

/** The drain's durations: each flag, else the stack's apply.drain value. */
export function drainOptions(config: DrainConfig, flags: DrainFlags): DrainOptions {
  const given = parseDrainFlags(flags);
  const pick = (ms: number | undefined, key: 'timeout' | 'restoreBudget' | 'apiOutage') => ms ?? parseDuration(config[key], `apply.drain.${key}`);
  return {
    timeoutMs: pick(given.drainTimeout, 'timeout'),
    leaseWaitMs: given.leaseWait,
    restoreBudgetMs: pick(given.restoreBudget, 'restoreBudget'),
    outageMs: pick(given.apiOutage, 'apiOutage'),
  };
}

/** A restore keeps trying each request until its budget is spent: a merge patch of the caps is idempotent. */
const RESTORE_POLICY: Omit<PolicySettings, 'budgetMs'> = { attemptTimeoutMs: 30_000, maxAttempts: Number.POSITIVE_INFINITY, backoff: { initialMs: 500, maxMs: 15_000 } };

/** A drain in place: the Lease this run holds and the scale sets it recorded and set to 0. */
export interface Drain {
  lease: HeldLease;
  recorded: string[];
}

function lostLease(target: DrainTarget, lease: HeldLease): RefusedError {
  return new RefusedError(
    `lost the drain Lease while draining ${target.stack.name}: ${lostReason(lease)}; the scale sets this run drained are restored, tofu apply not run`,
    `another run holds the Lease now; see "foundation drain ${target.stack.name} --status", then apply again`,
  );
}

/**
 * Drains: takes the Lease, then per scale set one merge patch that records the original
 * caps (unless a record is already there: those are the true originals) and sets
 * minRunners and maxRunners to 0; then waits until no runner is busy. On timeout,
 * interrupt or a lost Lease the scale sets are restored and the Lease released before it
 * refuses.
 */
export async function drainScaleSets(target: DrainTarget, io: StackIO, options: DrainOptions): Promise<Drain> {
  await refuseSelfHosted(target);
  const { client, config } = target;
  const lease = await acquireLease(client, config.namespace, DRAIN_LEASE, {
    waitMs: options.leaseWaitMs,
    progress: (text) => io.write(text),
    hint: `if that run died on another machine, its Lease expires ${leaseSeconds()}s after it last changed: raise --lease-wait, or check "foundation drain ${target.stack.name} --status"`,
  });
  const recorded: string[] = [];
  try {
    // Re-read under the Lease: another drain may have finished since the preflight.
    const scaleSets = await listScaleSets(client, config.namespace, { names: config.scaleSets, selector: config.selector });
    if (lease.lost.aborted) throw lostLease(target, lease);
    io.phase(`draining ${scaleSets.map((s) => s.name).join(', ')}`);
    // All at once (each its own objects); every patch settles before a failure is acted on.
    const drained = await Promise.allSettled(
      scaleSets.map(async (scaleSet) => {
        const record = readRecord(scaleSet) ?? (await newRecord(target, scaleSet, lease.holder));
        if (!(await patchScaleSet(client, scaleSet, { metadata: { annotations: { [DRAIN_ANNOTATION]: JSON.stringify(record) } }, spec: { minRunners: 0, maxRunners: 0 } }))) {
          throw new FoundationError(`AutoscalingRunnerSet ${scaleSet.namespace}/${scaleSet.name} was deleted while draining`, 'run the apply again');
        }
        return record;
      }),
    );
    // Recorded in the stack file's order, whichever patch answered first.
    drained.forEach((result, i) => {
      if (result.status !== 'fulfilled') return;
      recorded.push(scaleSets[i]!.name);
      io.write(`drain: ${scaleSets[i]!.namespace}/${scaleSets[i]!.name} caps ${capsText(result.value)} -> 0/0\n`);
    });
    const refused = drained.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
    const { outcome, reason } = await waitUntilIdle(client, config.namespace, scaleSets, {
      timeoutMs: options.timeoutMs,
      outageMs: options.outageMs,
      progress: (busy) => showBusy(io, busy),
      notice: (text) => io.write(text),
      abort: lease.lost,
    });
    if (outcome !== 'idle') {
      // The catch below restores the scale sets and releases the Lease.
      if (outcome === 'aborted') throw lostLease(target, lease);
      if (outcome === 'timeout') {
        throw new RefusedError(
          `drain of ${target.stack.name} timed out after ${Math.round(options.timeoutMs / 1000)}s with runners still busy; scale sets restored, tofu apply not run`,
          'raise apply.drain.timeout (or --drain-timeout), or apply when the lanes are quiet',
        );
      }
      if (outcome === 'api-down') {
        throw new RefusedError(
          `the Kubernetes API at ${client.server} stopped answering while ${target.stack.name} waited for busy runners (${reason}); scale sets restored, tofu apply not run`,
          `apply again once the API answers (kubectl --context ${client.context} get --raw /readyz); raise apply.drain.apiOutage (or --api-outage) to ride out longer outages`,
        );
      }
      throw new FoundationError(`interrupted while draining ${target.stack.name}; scale sets restored, tofu apply not run`, 'run the command again when ready');
    }
    io.write('drain: no busy runners left\n');
    return { lease, recorded };
  } catch (error) {
    await undrain(target, io, { lease, recorded, budgetMs: options.restoreBudgetMs }, error);
    throw error;
  }
}

/**
 * The end of every drain: restore (within the budget), then release the Lease. A failed
 * restore is the error that counts, before `cause` (the apply's or the wait's failure, said
 * on a line of its own) and before any trouble releasing the Lease, which is only said: a
 * Lease left behind expires on its own.
 */
async function undrain(target: DrainTarget, io: StackIO, drain: Drain & { budgetMs: number }, cause?: unknown): Promise<void> {
  const { lease, recorded } = drain;
  let restoreError: unknown;
  try {
    await restoreScaleSets(target, io, { only: lease.lost.aborted ? recorded : undefined, budgetMs: drain.budgetMs });
  } catch (error) {
    restoreError = error;
  }
  const releaseWarning = await lease.release();
  if (releaseWarning) io.write(`drain: ${releaseWarning}\n`);
  if (restoreError) {
    if (cause) io.write(`drain: before the restore failed: ${(cause as Error).message}\n`);
    throw restoreError;
  }
}

export interface RestoreResult {
  restored: string[];
  /** Named in apply.drain.scaleSets (or recorded by this run) but no longer in the namespace. */
  missing: string[];
}

export interface RestoreOptions {
  /** Only the scale sets one run recorded (after that run lost its Lease). */
  only?: string[];
  /** How long to keep trying before giving up (default: the stack's apply.drain.restoreBudget). */
  budgetMs: number;
}

/**
 * Puts every scale set that carries this stack's drain record back to its desired caps:
 * the caps of the Helm release revision an apply deployed since the drain, else the
 * recorded originals; and removes the records, in the same merge patch. Scale sets are
 * found by their record in the namespace, whatever their labels now (a chart upgrade may
 * have rewritten them). A scale set that is gone is reported and the others are still
 * restored. Every request is retried on transient failures until the budget is spent
 * (progress is written); then it fails naming each scale set still drained, whose record
 * stays for the next `drain --restore`.
 */
export async function restoreScaleSets(target: DrainTarget, io: Pick<StackIO, 'write' | 'phase'>, { only, budgetMs }: RestoreOptions): Promise<RestoreResult> {
  const { config } = target;
  const deadline = Date.now() + budgetMs;
  const budget = formatWait(budgetMs);
  const under = (what: string) =>
    withPolicy(target.client, { ...RESTORE_POLICY, budgetMs, onRetry: (r) => io.write(`restore: ${what}: ${r.reason}; trying again in ${formatWait(r.delayMs)} (${formatWait(r.leftMs)} of the ${budget} restore budget left)\n`) }, deadline);
  const stillDrained = (names: string[], why: string) =>
    new FoundationError(
      `RESTORE FAILED: ${names.length} scale set${names.length > 1 ? 's' : ''} of ${target.stack.name} still at 0/0, with ${names.length > 1 ? 'their drain records' : 'its drain record'}: ${names.map((n) => `${config.namespace}/${n}`).join(', ')} (${why})`,
      `run "foundation drain ${target.stack.name} --restore" once the API answers: it puts back exactly the recorded caps`,
    );
  let all: ScaleSet[];
  try {
    all = await scaleSetsIn(under(`listing the scale sets in ${config.namespace}`), config.namespace);
  } catch (error) {
    const names = only ?? config.scaleSets ?? target.scaleSets.map((s) => s.name);
    throw stillDrained(names, `the restore could not list them within its ${budget} budget: ${(error as Error).message}`);
  }
  const configured = (s: ScaleSet) => (config.scaleSets ? config.scaleSets.includes(s.name) : target.scaleSets.some((t) => t.uid === s.uid));
  const expected = only ?? config.scaleSets ?? [];
  const missing = expected.filter((name) => !all.some((s) => s.name === name));
  for (const name of missing) io.write(`restore: ${config.namespace}/${name} no longer exists; nothing to restore there\n`);
  const restored: string[] = [];
  const failed: string[] = [];
  const reasons: string[] = [];
  const fail = (scaleSet: ScaleSet, error: unknown) => {
    failed.push(scaleSet.name);
    reasons.push((error as Error).message);
  };
  const due = all.flatMap((scaleSet) => {
    try {
      const record = readRecord(scaleSet);
      return record && (only ? only.includes(scaleSet.name) : record.stack === target.stack.name || configured(scaleSet)) ? [{ scaleSet, record }] : [];
    } catch (error) {
      fail(scaleSet, error);
      return [];
    }
  });
  if (due.length) io.phase(`restoring ${due.map((d) => d.scaleSet.name).join(', ')}`);
  // All at once, each with its own retries within the one budget.
  const outcomes = await Promise.allSettled(
    due.map(async ({ scaleSet, record }) => {
      const client = under(`${scaleSet.namespace}/${scaleSet.name}`);
      const { caps, source } = await desiredCaps(client, scaleSet, record);
      return (await patchScaleSet(client, scaleSet, { metadata: { annotations: { [DRAIN_ANNOTATION]: null } }, spec: caps })) ? { caps, source } : undefined;
    }),
  );
  outcomes.forEach((outcome, i) => {
    const { scaleSet } = due[i]!;
    const where = `${scaleSet.namespace}/${scaleSet.name}`;
    if (outcome.status === 'rejected') return fail(scaleSet, outcome.reason);
    if (!outcome.value) {
      io.write(`restore: ${where} no longer exists; nothing to restore there\n`);
      missing.push(scaleSet.name);
      return;
    }
    io.write(`restore: ${where} caps -> ${capsText(outcome.value.caps)} (${outcome.value.source})\n`);
    restored.push(scaleSet.name);
  });
  if (failed.length > 0) {
    throw stillDrained(failed, `${restored.length ? `restored: ${restored.join(', ')}; ` : ''}gave up after the ${budget} restore budget: ${[...new Set(reasons)].join('; ')}`);
  }
  return { restored, missing };
}

/**
 * The apply guard: drain, apply, and restore whether the apply succeeded or not. A Lease
 * lost (or not renewed within its deadline) before tofu starts refuses (exit 3) after
 * restoring; one lost while tofu runs is a loud warning (tofu is not interrupted
 * halfway), and the restore afterwards touches only the scale sets this run recorded.
 */
export async function drainAround(target: DrainTarget, io: StackIO, apply: () => Promise<void>, options: DrainOptions): Promise<void> {
  const drain = await drainScaleSets(target, io, options);
  const { lease, recorded } = drain;
  const warn = () =>
    printErr(
      `WARNING: ${target.stack.name}: lost the drain Lease during the apply (${lostReason(lease)}). Another run may drain or restore ` +
        `these scale sets now; when tofu ends, foundation restores only the ones this run drained: ${recorded.join(', ')}`,
    );
  let failure: unknown;
  try {
    if (!lease.held()) throw lostLease(target, lease);
    lease.lost.addEventListener('abort', warn);
    await apply();
  } catch (error) {
    failure = error;
  } finally {
    lease.lost.removeEventListener('abort', warn);
  }
  await undrain(target, io, { ...drain, budgetMs: options.restoreBudgetMs }, failure);
  if (failure) throw failure;
}

export function readRecord(scaleSet: ScaleSet): DrainRecord | undefined {
  const raw = scaleSet.annotations[DRAIN_ANNOTATION];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as DrainRecord;
  } catch {
    throw new FoundationError(`the ${DRAIN_ANNOTATION} annotation on ${scaleSet.namespace}/${scaleSet.name} is not valid JSON`, 'inspect it with kubectl, restore the caps by hand and remove the annotation');
  }
}

async function newRecord(target: DrainTarget, scaleSet: ScaleSet, holder: string): Promise<DrainRecord> {
  const release = releaseOf(scaleSet);
  const deployed = release ? await latestDeployed(target.client, release) : undefined;
  return {
    minRunners: scaleSet.minRunners,
    maxRunners: scaleSet.maxRunners,
    stack: target.stack.name,
    holder,
    drainedAt: new Date().toISOString(),
    release: release && deployed ? { ...release, revision: deployed.revision } : null,
  };
}

async function desiredCaps(client: KubeClient, scaleSet: ScaleSet, record: DrainRecord): Promise<{ caps: Caps; source: string }> {
  if (record.release) {
    const latest = await latestDeployed(client, record.release);
    const caps = latest && latest.revision > record.release.revision ? capsInManifest(latest.manifest, scaleSet.name) : undefined;
    if (caps) return { caps, source: `Helm release ${record.release.name} revision ${latest!.revision}` };
  }
  return { caps: { minRunners: record.minRunners, maxRunners: record.maxRunners }, source: 'recorded originals' };
}

function capsText(caps: Caps): string {
  return `${caps.minRunners ?? 'unset'}/${caps.maxRunners ?? 'unset'}`;
}

function showBusy(io: StackIO, busy: Runner[]): void {
  const perSet = new Map<string, number>();
  for (const runner of busy) perSet.set(runner.scaleSet, (perSet.get(runner.scaleSet) ?? 0) + 1);
  const detail = [...perSet].map(([set, n]) => `${set} ${n}`).join(', ');
  io.phase(busy.length ? `draining: ${busy.length} busy (${detail})` : 'drained');
  io.write(busy.length ? `drain: waiting for ${busy.length} busy runner${busy.length > 1 ? 's' : ''}: ${detail}\n` : '');
}

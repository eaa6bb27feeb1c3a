import type { Project, Stack } from '../config/load.js';
import { kubeContextFor } from '../config/resolve.js';
import type { DrainConfig } from '../config/schema.js';
import type { StackIO } from '../orchestrate/scheduler.js';
import { FoundationError, RefusedError } from '../ui/errors.js';
import { findRunner, listScaleSets, patchScaleSet, requireArcCrds, type Runner, type ScaleSet } from './arc.js';
import { connectKube, type KubeClient } from './client.js';
import { capsInManifest, latestDeployed, releaseOf, type Caps, type ReleaseRef } from './helm-release.js';
import { waitUntilIdle } from './idle-wait.js';
import { acquireLease, holderIdentity, type HeldLease } from './lease.js';

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

/** Read-only checks, before anything runs: the context, the API, the ARC CRDs and every scale set to drain. */
export async function connectDrainTarget(project: Project, stack: Stack, env: string, contextFlag?: string): Promise<DrainTarget> {
  const config = stack.spec.apply.drain;
  if (!config) throw new FoundationError(`stack "${stack.name}" has no apply.drain block`, `add apply.drain to ${stack.file} to name the scale sets to drain`);
  const client = await connectKube(kubeContextFor(project, stack, env, contextFlag));
  await requireArcCrds(client);
  const scaleSets = await listScaleSets(client, config.namespace, { names: config.scaleSets, selector: config.selector });
  return { client, stack, config, scaleSets };
}

/** Refuses when this job runs on a runner of a scale set the drain would take down (its RUNNER_NAME is an EphemeralRunner). */
export async function refuseSelfHosted(target: DrainTarget, runnerName = process.env.RUNNER_NAME): Promise<void> {
  if (!runnerName) return;
  const runner = await findRunner(target.client, target.config.namespace, runnerName);
  const own = runner && target.scaleSets.find((s) => s.label === runner.scaleSet);
  if (own) {
    throw new RefusedError(
      `this job runs on runner ${runnerName} of scale set ${own.name}, which the apply of ${target.stack.name} would drain`,
      'run the apply on a lane outside the drained scale sets (the contract\'s non-shared heavy lane)',
    );
  }
}

/**
 * Drains: takes the Lease, then per scale set one merge patch that records the original
 * caps (unless a record is already there: those are the true originals) and sets
 * minRunners and maxRunners to 0; then waits until no runner is busy. On timeout or
 * interrupt everything is restored and the Lease released before it refuses.
 */
export async function drainScaleSets(target: DrainTarget, io: StackIO, { timeoutMs }: { timeoutMs: number }): Promise<HeldLease> {
  await refuseSelfHosted(target);
  const { client, config } = target;
  const lease = await acquireLease(client, config.namespace, DRAIN_LEASE, holderIdentity(), `wait for it to finish; if that run died, "foundation drain ${target.stack.name} --restore" puts the scale sets back`);
  try {
    // Re-read under the Lease: another drain may have finished since the preflight.
    const scaleSets = await listScaleSets(client, config.namespace, { names: config.scaleSets, selector: config.selector });
    for (const scaleSet of scaleSets) {
      const record = readRecord(scaleSet) ?? (await newRecord(target, scaleSet, lease.holder));
      io.phase(`draining ${scaleSet.name}`);
      await patchScaleSet(client, scaleSet, { metadata: { annotations: { [DRAIN_ANNOTATION]: JSON.stringify(record) } }, spec: { minRunners: 0, maxRunners: 0 } });
      io.write(`drain: ${scaleSet.namespace}/${scaleSet.name} caps ${capsText(record)} -> 0/0\n`);
    }
    const outcome = await waitUntilIdle(client, config.namespace, scaleSets, { timeoutMs, progress: (busy) => showBusy(io, busy) });
    if (outcome !== 'idle') {
      // The catch below restores the scale sets and releases the Lease.
      throw outcome === 'timeout'
        ? new RefusedError(
            `drain of ${target.stack.name} timed out after ${Math.round(timeoutMs / 1000)}s with runners still busy; scale sets restored, tofu apply not run`,
            'raise apply.drain.timeout (or --drain-timeout), or apply when the lanes are quiet',
          )
        : new FoundationError(`interrupted while draining ${target.stack.name}; scale sets restored, tofu apply not run`, 'run the command again when ready');
    }
    io.write('drain: no busy runners left\n');
    return lease;
  } catch (error) {
    await restoreScaleSets(target, io).catch((restoreError: unknown) =>
      io.write(`drain: could not restore the scale sets (${(restoreError as Error).message}); run "foundation drain ${target.stack.name} --restore"\n`),
    );
    await lease.release().catch(() => undefined);
    throw error;
  }
}

/**
 * Puts every scale set that carries a record back to its desired caps: the caps of the
 * Helm release revision an apply deployed since the drain, else the recorded originals.
 * Removes the records. Scale sets without a record are left alone.
 */
export async function restoreScaleSets(target: DrainTarget, io: Pick<StackIO, 'write' | 'phase'>): Promise<number> {
  const { client, config } = target;
  const scaleSets = await listScaleSets(client, config.namespace, { names: config.scaleSets, selector: config.selector });
  let restored = 0;
  for (const scaleSet of scaleSets) {
    const record = readRecord(scaleSet);
    if (!record) continue;
    io.phase(`restoring ${scaleSet.name}`);
    const { caps, source } = await desiredCaps(client, scaleSet, record);
    await patchScaleSet(client, scaleSet, { metadata: { annotations: { [DRAIN_ANNOTATION]: null } }, spec: caps });
    io.write(`restore: ${scaleSet.namespace}/${scaleSet.name} caps -> ${capsText(caps)} (${source})\n`);
    restored++;
  }
  return restored;
}

/** The apply guard: drain, apply, and restore whether the apply succeeded or not. */
export async function drainAround(target: DrainTarget, io: StackIO, apply: () => Promise<void>, { timeoutMs }: { timeoutMs: number }): Promise<void> {
  const lease = await drainScaleSets(target, io, { timeoutMs });
  try {
    await apply();
  } finally {
    try {
      await restoreScaleSets(target, io);
    } finally {
      await lease.release();
    }
  }
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

import type { Project, Stack } from '../config/project.js';
import type { RunLockHolder } from '../orchestrate/run-lock.js';
import type { DrainStatus } from '../kube/drain-status.js';
import { FoundationError } from '../ui/errors.js';

export interface StackGuards {
  /** The foundation run that holds the stack in this checkout now, if any. */
  runLock: RunLockHolder | null;
  /** With apply.drain: the scale sets and the drain Lease (`drain --status --json`'s shape), or why they could not be read. */
  drain: DrainStatus | { error: { message: string; hint?: string } } | null;
}

/** The stack's guards as they stand: the run lock read before, the drain state read now (client-node only for such stacks). */
export async function readGuards(project: Project, env: string, context: string | undefined, stack: Stack, runLock: RunLockHolder | undefined): Promise<StackGuards> {
  return { runLock: runLock ?? null, drain: stack.spec.apply.drain ? await readDrain(project, env, context, stack) : null };
}

async function readDrain(project: Project, env: string, context: string | undefined, stack: Stack): Promise<StackGuards['drain']> {
  const [{ connectDrainTarget }, { drainStatus }] = await Promise.all([import('../kube/drain.js'), import('../kube/drain-status.js')]);
  try {
    return await drainStatus(await connectDrainTarget(project, stack, env, context, { lenient: true }));
  } catch (error) {
    if (!(error instanceof FoundationError)) throw error;
    return { error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
  }
}

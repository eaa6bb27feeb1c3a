import { lockAgeMs, readStateLock, type StateLock } from './s3-lock.js';
import type { GlobalOptions } from '../config/global-options.js';
import { loadProject } from '../config/load.js';
import { type Stack } from '../config/project.js';
import { requireStack, requireStateKey, resolveEnv } from '../config/resolve.js';
import { runTofu } from '../tofu/process.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { formatDuration } from '../util/duration.js';
import { loadRunContext, type RunContext } from '../orchestrate/run-context.js';
import { acquireRunLocks } from '../orchestrate/run-lock.js';
import { initStack, prepareStack } from '../orchestrate/stack-workflow.js';

/** A lock younger than this may belong to a run that is still working: unlock wants --force. */
export const UNLOCK_MIN_AGE_MS = 5 * 60_000;

export interface StateLockTarget {
  ctx: RunContext;
  stack: Stack;
  stateKey: string;
  lock: StateLock | undefined;
}

/** The stack's state key and the lock object tofu's S3 lockfile left there, if any. */
export async function findStateLock(global: GlobalOptions, name: string): Promise<StateLockTarget> {
  const project = loadProject();
  const stack = requireStack(project, name);
  const env = resolveEnv(project, global.env);
  const stateKey = requireStateKey(stack, env);
  const ctx = loadRunContext(global, project);
  return { ctx, stack, stateKey, lock: await readStateLock(ctx.location, ctx.credentials, stateKey) };
}

export function noLockError(target: StateLockTarget): FoundationError {
  return new FoundationError(
    `stack "${target.stack.name}" (ENV ${target.ctx.env}) has no state lock: nothing holds ${target.stateKey}`,
    'nothing to unlock; if tofu still says "Error acquiring the state lock", check that ENV and the backend variables name the same bucket',
  );
}

/** One line: who holds the lock, for what, since when. */
export function describeLock(lock: StateLock): string {
  const age = lockAgeMs(lock);
  const operation = lock.operation.replace(/^OperationType/, '').toLowerCase() || 'an operation';
  return `held by ${lock.who || 'an unknown holder'} for ${operation}${age === undefined ? '' : `, ${formatDuration(age)} ago (${lock.created})`}`;
}

/**
 * Releases the lock with tofu's own `force-unlock -force <ID>` in the stack's root (init
 * first when needed), holding the stack's run lock so no run of this checkout starts
 * meanwhile. The ID is the one shown: a lock taken since then is not touched, tofu
 * refuses an ID that no longer matches.
 */
export async function forceUnlock(target: StateLockTarget, lock: StateLock, write: (text: string) => void): Promise<void> {
  installSignalHandlers();
  const { ctx, stack } = target;
  await acquireRunLocks(ctx.project.dir, ctx.env, [stack.name], { command: `foundation state unlock ${stack.name}` });
  const io = { write, phase: () => {} };
  await initStack(ctx, stack, prepareStack(ctx, stack), io);
  const code = await runTofu({ tofu: ctx.tofu, cwd: stack.rootDir, env: ctx.childEnv, args: ['force-unlock', '-force', '-no-color', lock.id] }, write);
  if (code !== 0) throw new FoundationError(`tofu force-unlock failed for stack "${stack.name}" (exit ${code})`, 'read the tofu output above; "foundation state lock" shows the lock as it is now');
}

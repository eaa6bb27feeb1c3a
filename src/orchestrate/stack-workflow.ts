import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { planBackendFiles, writeBackendFiles, type BackendFiles } from '../backends/materialize.js';
import { TofuS3ErrorReader } from '../backends/s3-tofu-error.js';
import type { Stack } from '../config/project.js';
import { varFilesFor } from '../config/resolve.js';
import { initNeeded } from '../tofu/init-state.js';
import { PlanOutputReader } from '../tofu/plan-output.js';
import { summarizePlan, type PlanSummary } from '../tofu/plan-summary.js';
import { captureTofu, runTofu } from '../tofu/process.js';
import { callsModules, rootModuleFiles } from '../tofu/root-module.js';
import { watchLockError } from '../tofu/lock-error.js';
import { commitPlanFile, pinnedPlanCopy, planTempFile } from './plan-file.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import type { RunContext } from './run-context.js';
import type { InitOutcome, StackOutcome } from './report.js';
import type { OutputSink, StackIO } from '../ui/stack-io.js';

/** tofu plan itself failed (its own output says why), as opposed to a backend or lock error mapped to one line. */
export class PlanFailedError extends FoundationError {}

/** Where a stack's tofu output goes: the terminal live, or a buffer for grouped output. */
export interface PlanOutcome {
  exitCode: typeof EXIT.ok | typeof EXIT.changes;
  planFile: string;
  /** sha256 of the plan file as made: an apply applies exactly this plan. */
  checksum: string;
  summary: PlanSummary;
  init: InitOutcome;
}

/** Checks what can be checked without tofu, so a bad stack fails before any file is written. */
export function prepareStack(ctx: RunContext, stack: Stack): BackendFiles {
  const files = planBackendFiles(stack, ctx.env, ctx.location);
  for (const varFile of varFilesFor(stack, ctx.env)) {
    if (!existsSync(path.resolve(stack.rootDir, varFile))) {
      throw new FoundationError(
        `stack "${stack.name}": var file ${path.join(stack.rootRel, varFile)} for ENV ${ctx.env} does not exist`,
        `create it, or fix varFiles.${ctx.env} in ${stack.file}`,
      );
    }
  }
  return files;
}

// Parallel inits into one TF_PLUGIN_CACHE_DIR race on the same files (the cache is
// documented as not safe for concurrent use): inits take turns, plans still run in parallel.
let initTurn: Promise<unknown> = Promise.resolve();
function oneInitAtATime<T>(run: () => Promise<T>): Promise<T> {
  const result = initTurn.then(run, run);
  initTurn = result.catch(() => undefined);
  return result;
}

/** Why `tofu init` must run for the stack, or undefined when its root is initialized against the same backend. */
export function initReason(stack: Stack, files: BackendFiles): string | undefined {
  return initNeeded(stack.rootDir, files.config, { callsModules: callsModules(stack, rootModuleFiles(stack)) });
}

export async function initStack(ctx: RunContext, stack: Stack, files: BackendFiles, io: StackIO, { force = false } = {}): Promise<InitOutcome> {
  writeBackendFiles(files);
  const needed = force ? 'forced' : initReason(stack, files);
  if (!needed) return { ran: false, reason: 'already initialized against the same backend' };
  mkdirSync(ctx.childEnv.TF_PLUGIN_CACHE_DIR!, { recursive: true, mode: 0o700 }); // tofu ignores a cache folder that does not exist
  io.phase('waiting for an init turn');
  const code = await oneInitAtATime(() => {
    io.phase('init');
    return runTofu(
      { tofu: ctx.tofu, cwd: stack.rootDir, env: ctx.childEnv, args: ['init', '-input=false', '-reconfigure', `-backend-config=${path.basename(files.backendFile)}`, ...colorArgs(ctx)] },
      io.write,
    );
  });
  if (code !== 0) throw new FoundationError(`tofu init failed for stack "${stack.name}" (exit ${code})`, 'read the tofu output above; fix the cause and run the command again');
  return { ran: true, reason: needed };
}

/**
 * init when needed, then plan into a new file renamed into place only when the plan
 * succeeded (plan-file.ts). A failed plan also removes the previous plan of this stack
 * (the run holds the stack's run lock), so no stale plan is left to apply.
 */
export async function planStack(
  ctx: RunContext,
  stack: Stack,
  files: BackendFiles,
  io: StackIO,
  { out, forceInit = false }: { out?: string; forceInit?: boolean } = {},
): Promise<PlanOutcome> {
  const init = await initStack(ctx, stack, files, io, { force: forceInit });
  const planFile = out ? path.resolve(out) : defaultPlanFile(ctx, stack);
  mkdirSync(path.dirname(planFile), { recursive: true, mode: 0o700 });
  const temp = planTempFile(planFile);
  const { exitCode, summary } = await tofuPlan(ctx, stack, io, { out: temp, removeOnFailure: [planFile] });
  return { exitCode, planFile, checksum: commitPlanFile(temp, planFile), summary, init };
}

/**
 * The plan `foundation status` shows: repo against the state as recorded (-refresh=false:
 * the live cluster is drift's column), taking no state lock (-lock=false), so it never
 * blocks an apply; its plan file is a temp file removed at once. It holds no run lock
 * either: a root another run holds is planned as it is, never initialized under it.
 */
export async function statusPlan(ctx: RunContext, stack: Stack, files: BackendFiles, io: StackIO, { heldBy }: { heldBy?: string } = {}): Promise<Omit<PlanOutcome, 'planFile' | 'checksum'>> {
  const reason = initReason(stack, files);
  if (reason && heldBy) {
    throw new FoundationError(`stack "${stack.name}" needs tofu init (${reason}) while another foundation run holds it: ${heldBy}`, 'run status again once that run has ended');
  }
  const init = await initStack(ctx, stack, files, io);
  const temp = planTempFile(defaultPlanFile(ctx, stack));
  mkdirSync(path.dirname(temp), { recursive: true, mode: 0o700 });
  try {
    return { ...(await tofuPlan(ctx, stack, io, { out: temp, extraArgs: ['-lock=false', '-refresh=false'], removeOnFailure: [] })), init };
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * tofu plan into `out`, with the stack's var files; the summary from the plan's own output
 * as it streams by (no second tofu process). A failed plan removes `out` and the files in
 * `removeOnFailure`, and becomes one clear error.
 */
async function tofuPlan(
  ctx: RunContext,
  stack: Stack,
  io: StackIO,
  { out, extraArgs = [], removeOnFailure }: { out: string; extraArgs?: string[]; removeOnFailure: string[] },
): Promise<{ exitCode: typeof EXIT.ok | typeof EXIT.changes; summary: PlanSummary }> {
  const args = ['plan', '-input=false', '-detailed-exitcode', ...extraArgs, `-out=${out}`, ...varFilesFor(stack, ctx.env).map((f) => `-var-file=${f}`), ...colorArgs(ctx)];
  io.phase('planning');
  const failure = watchFailure(io.write);
  const reader = new PlanOutputReader();
  const code = await runTofu({ tofu: ctx.tofu, cwd: stack.rootDir, env: ctx.childEnv, args }, (text) => {
    reader.push(text);
    failure.write(text);
  }).catch((error: unknown) => {
    rmSync(out, { force: true });
    throw error;
  });
  if (code !== EXIT.ok && code !== EXIT.changes) {
    for (const file of [out, ...removeOnFailure]) rmSync(file, { force: true });
    throw failure.error(ctx, stack, `tofu plan failed for stack "${stack.name}" (exit ${code})`, 'read the tofu output above; fix the cause and run the command again', PlanFailedError);
  }
  // An output the reader does not recognize (another tofu's wording) costs the slow path, not a wrong count.
  const summary =
    reader.summary() ??
    (await readPlanSummary(ctx, stack, out).catch((error: unknown) => {
      rmSync(out, { force: true });
      throw error;
    }));
  return { exitCode: code, summary };
}

/**
 * A plan as a stack's outcome in a run report. A plan that succeeded exits 0; only with
 * --detailed-exitcode (tofu's flag) do changes exit 2.
 */
export function planOutcome(plan: PlanOutcome, { detailedExitcode = false } = {}): StackOutcome {
  const changes = plan.exitCode === EXIT.changes;
  return { status: changes ? 'changes' : 'no-changes', exitCode: changes && detailedExitcode ? EXIT.changes : EXIT.ok, summary: plan.summary, planFile: plan.planFile, init: plan.init };
}

/**
 * Applies a saved plan (a saved plan never prompts): a private copy checked against the
 * checksum of the plan that was shown. A non-zero tofu exit is an error.
 */
export async function applyPlanFile(ctx: RunContext, stack: Stack, files: BackendFiles, planFile: string, checksum: string, io: StackIO): Promise<void> {
  writeBackendFiles(files);
  const pinned = pinnedPlanCopy(stack.name, path.resolve(planFile), checksum);
  io.phase('applying');
  const failure = watchFailure(io.write);
  try {
    const code = await runTofu({ tofu: ctx.tofu, cwd: stack.rootDir, env: ctx.childEnv, args: ['apply', '-input=false', ...colorArgs(ctx), pinned.file] }, failure.write);
    if (code !== 0) throw failure.error(ctx, stack, `tofu apply failed for stack "${stack.name}" (exit ${code})`, 'read the tofu output above; fix the cause, plan and apply again');
  } finally {
    pinned.remove();
  }
}

/**
 * Passes a tofu run's output through and watches it for the failures foundation can say in
 * one line: a state lock another run holds (its hint names the holder), else the S3
 * backend's error (the bucket probe's line: refused credentials, unreachable endpoint,
 * missing bucket). A held lock reaches tofu as an S3 error too (412 on the lock object):
 * its own hint wins.
 */
type ErrorKind = new (message: string, hint?: string) => FoundationError;

function watchFailure(write: OutputSink): { write: OutputSink; error(ctx: RunContext, stack: Stack, message: string, hint: string, kind?: ErrorKind): FoundationError } {
  const lockError = watchLockError(write);
  const s3 = new TofuS3ErrorReader();
  return {
    write: (text) => {
      s3.push(text);
      lockError.write(text);
    },
    // A held state lock reaches tofu as an S3 error too (412 on the lock object): its own hint wins.
    error: (ctx, stack, message, hint, Kind = FoundationError) => {
      const lockHint = lockError.hint(stack);
      return (lockHint ? undefined : s3.error(ctx.location, ctx.backendEnv)) ?? new Kind(message, lockHint ?? hint);
    },
  };
}

export async function readPlanSummary(ctx: RunContext, stack: Stack, planFile: string): Promise<PlanSummary> {
  const shown = await captureTofu({ tofu: ctx.tofu, cwd: stack.rootDir, env: ctx.childEnv, args: ['show', '-json', '-no-color', path.resolve(planFile)] });
  if (shown.exitCode !== 0) {
    throw new FoundationError(`tofu show could not read plan file ${planFile} (exit ${shown.exitCode})`, 'make sure the plan was made for this stack and ENV with the same tofu version');
  }
  return summarizePlan(shown.stdout);
}

export function defaultPlanFile(ctx: RunContext, stack: Stack): string {
  return path.join(ctx.project.dir, '.foundation', 'plans', ctx.env, `${stack.name}.tfplan`);
}

function colorArgs(ctx: RunContext): string[] {
  return ctx.color ? [] : ['-no-color'];
}

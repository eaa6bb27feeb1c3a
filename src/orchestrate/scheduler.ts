import type { Stack } from '../config/project.js';
import { interrupted } from '../tofu/signals.js';
import { EXIT, FoundationError, type ExitCode } from '../ui/errors.js';
import { aggregateExitCode, succeeded, type RunReport, type StackOutcome, type StackResult } from './report.js';
import type { StackIO } from '../ui/stack-io.js';
export type StackTask = (stack: Stack, io: StackIO) => Promise<StackOutcome>;

/** How a run is shown: live, in blocks, or as a task list (ui/run-view.ts). */
export interface RunView {
  io(stack: Stack): StackIO;
  finished(stack: Stack, result: StackResult): void;
  /** Waits until the view has shown everything (a task list ends its rendering). */
  close?(): Promise<void>;
}

export interface ScheduleOptions {
  parallelism: number;
  failFast?: boolean;
  view: RunView;
  /** Stacks whose outcome is known before the run (refused by a guard, failed plan): not run, but dependents see them. */
  decided?: Map<string, Omit<StackResult, 'stack'>>;
  /**
   * false for plans, which change nothing: every stack starts at once (up to `parallelism`)
   * instead of after its dependencies. A stack is still reported after its dependencies,
   * and one whose dependency did not succeed is marked "upstream-failed".
   */
  waitForDependencies?: boolean;
}

/**
 * Runs a task over stacks (given in dependency order), at most `parallelism` at once. A
 * stack starts once every selected dependency has succeeded (or, without
 * `waitForDependencies`, right away). A dependency that failed, was refused or skipped
 * skips its dependents, with the reason; independent stacks go on unless fail-fast. After
 * an interrupt nothing new starts. Results are reported in an order that puts every
 * stack after its dependencies, and the report lists them in dependency order.
 */
export async function schedule(command: string, env: string, stacks: Stack[], task: StackTask, options: ScheduleOptions): Promise<RunReport> {
  const selected = new Set(stacks.map((s) => s.name));
  const wait = options.waitForDependencies ?? true;
  const results = new Map<string, StackResult>();
  const running = new Map<string, Promise<void>>();
  // Without waiting: stacks that ran and finished, reported once their dependencies are.
  const finished = new Map<string, StackResult>();
  const started = new Set<string>();
  let failFastCause: string | undefined;

  const record = (stack: Stack, result: StackResult) => {
    results.set(stack.name, result);
    options.view.finished(stack, result);
  };

  const start = (stack: Stack) => {
    const io = options.view.io(stack);
    const startedAt = new Date();
    started.add(stack.name);
    io.phase('starting');
    const run = runOne(stack, task, io).then((outcome) => {
      const finishedAt = new Date();
      running.delete(stack.name);
      if (options.failFast && outcome.status === 'failed') failFastCause ??= stack.name;
      const result = { stack: stack.name, ...outcome, startedAt: startedAt.toISOString(), finishedAt: finishedAt.toISOString(), durationMs: finishedAt.getTime() - startedAt.getTime() };
      if (wait) record(stack, result);
      else {
        finished.set(stack.name, result);
        const pending = stack.spec.dependsOn.filter((d) => selected.has(d) && !results.has(d));
        if (pending.length) io.phase(`${resultWord(result)}; reported after ${pending.join(', ')}`);
      }
    });
    running.set(stack.name, run);
  };

  while (results.size < stacks.length) {
    for (const stack of stacks) {
      if (results.has(stack.name) || running.has(stack.name)) continue;
      const deps = stack.spec.dependsOn.filter((d) => selected.has(d));
      const ran = finished.get(stack.name);
      if (ran) {
        // Dependencies come first in `stacks`, so a whole chain is reported in one pass.
        if (deps.every((d) => results.has(d))) {
          finished.delete(stack.name);
          record(stack, markUpstream(ran, deps, results));
        }
        continue;
      }
      // Without waiting, only an outcome decided without running (refused, skipped) blocks dependents.
      const blocker = deps.find((d) => results.has(d) && !succeeded(results.get(d)!) && (wait || !started.has(d)));
      const decided = options.decided?.get(stack.name);
      const signal = interrupted();
      if (decided) record(stack, { stack: stack.name, ...decided });
      else if (signal) record(stack, { stack: stack.name, status: 'not-started', exitCode: EXIT.error, reason: `not started: interrupted by ${signal}` });
      else if (blocker) record(stack, skipped(stack, `dependency ${blocker} ${results.get(blocker)!.status}`, results.get(blocker)!.exitCode));
      else if (failFastCause) record(stack, skipped(stack, `not started: --fail-fast after ${failFastCause} failed`, EXIT.error));
      else if ((!wait || deps.every((d) => results.has(d))) && running.size < options.parallelism) start(stack);
      else options.view.io(stack).phase(wait ? waitingLabel(deps, results) : 'waiting for a free slot');
    }
    if (running.size > 0) await Promise.race(running.values());
  }
  await options.view.close?.();
  const ordered = stacks.map((s) => results.get(s.name)!);
  return { command, env, exitCode: aggregateExitCode(ordered.map((r) => r.exitCode)), stacks: ordered };
}

async function runOne(stack: Stack, task: StackTask, io: StackIO): Promise<StackOutcome> {
  try {
    return await task(stack, io);
  } catch (error) {
    if (!(error instanceof FoundationError)) throw error;
    const refused = error.exitCode === EXIT.refused;
    // tofu stopped by a signal fails like any tofu failure; say what really happened.
    const status = refused ? 'refused' : interrupted() ? 'interrupted' : 'failed';
    return { status, exitCode: error.exitCode, error: { message: error.message, hint: error.hint } };
  }
}

/**
 * A plan that ran while a dependency's plan failed: its own result stands (summary, plan
 * file), but it was planned against state the dependency did not get to change, so it is
 * marked, and carries the failure's exit code.
 */
function markUpstream(result: StackResult, deps: string[], results: Map<string, StackResult>): StackResult {
  const dep = deps.find((d) => !succeeded(results.get(d)!));
  if (!dep || !succeeded(result)) return result;
  const upstream = results.get(dep)!;
  const cause = upstream.status === 'upstream-failed' ? upstream.upstreamFailed! : dep;
  return {
    ...result,
    status: 'upstream-failed',
    exitCode: upstream.exitCode,
    upstreamFailed: cause,
    reason: `upstream ${cause} ${results.get(cause)?.status ?? 'failed'}: planned anyway (${resultWord(result)}); the plan may be stale`,
  };
}

function resultWord(result: StackResult): string {
  return result.status === 'changes' ? 'changes' : result.status === 'no-changes' ? 'no changes' : result.status;
}

/** A skipped stack carries its cause's exit code: behind a refusal the run is refused (3), behind a failure failed (1). */
function skipped(stack: Stack, reason: string, exitCode: ExitCode): StackResult {
  return { stack: stack.name, status: 'skipped', exitCode, reason };
}

function waitingLabel(deps: string[], results: Map<string, StackResult>): string {
  const pending = deps.filter((d) => !results.has(d));
  return pending.length ? `waiting on ${pending.join(', ')}` : 'waiting for a free slot';
}

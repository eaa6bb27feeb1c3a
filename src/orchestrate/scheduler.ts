import type { Stack } from '../config/load.js';
import { interrupted } from '../tofu/signals.js';
import { EXIT, FoundationError, type ExitCode } from '../ui/errors.js';
import { aggregateExitCode, succeeded, type RunReport, type StackResult } from './report.js';
import type { OutputSink } from './stack-workflow.js';

/** What a stack's task gets: where its tofu output goes, and a way to say what it is doing. */
export interface StackIO {
  write: OutputSink;
  phase(label: string): void;
}

export type StackOutcome = Omit<StackResult, 'stack' | 'startedAt' | 'finishedAt' | 'durationMs'>;
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
}

/**
 * Runs a task over stacks (given in dependency order). A stack starts once every selected
 * dependency has succeeded, with at most `parallelism` running at once. A dependency that
 * failed, was refused or skipped skips its dependents, with the reason; independent
 * stacks go on unless fail-fast. After an interrupt nothing new starts.
 */
export async function schedule(command: string, env: string, stacks: Stack[], task: StackTask, options: ScheduleOptions): Promise<RunReport> {
  const selected = new Set(stacks.map((s) => s.name));
  const results = new Map<string, StackResult>();
  const running = new Map<string, Promise<void>>();
  let failFastCause: string | undefined;

  const record = (stack: Stack, result: StackResult) => {
    results.set(stack.name, result);
    options.view.finished(stack, result);
  };

  const start = (stack: Stack) => {
    const io = options.view.io(stack);
    const started = new Date();
    io.phase('starting');
    const run = runOne(stack, task, io).then((outcome) => {
      const finished = new Date();
      running.delete(stack.name);
      if (options.failFast && outcome.status === 'failed') failFastCause ??= stack.name;
      record(stack, { stack: stack.name, ...outcome, startedAt: started.toISOString(), finishedAt: finished.toISOString(), durationMs: finished.getTime() - started.getTime() });
    });
    running.set(stack.name, run);
  };

  while (results.size < stacks.length) {
    for (const stack of stacks) {
      if (results.has(stack.name) || running.has(stack.name)) continue;
      const deps = stack.spec.dependsOn.filter((d) => selected.has(d));
      const blocker = deps.find((d) => results.has(d) && !succeeded(results.get(d)!));
      const decided = options.decided?.get(stack.name);
      const signal = interrupted();
      if (decided) record(stack, { stack: stack.name, ...decided });
      else if (signal) record(stack, { stack: stack.name, status: 'not-started', exitCode: EXIT.error, reason: `not started: interrupted by ${signal}` });
      else if (blocker) record(stack, skipped(stack, `dependency ${blocker} ${results.get(blocker)!.status}`, results.get(blocker)!.exitCode));
      else if (failFastCause) record(stack, skipped(stack, `not started: --fail-fast after ${failFastCause} failed`, EXIT.error));
      else if (deps.every((d) => results.has(d)) && running.size < options.parallelism) start(stack);
      else options.view.io(stack).phase(waitingLabel(deps, results));
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

/** A skipped stack carries its cause's exit code: behind a refusal the run is refused (3), behind a failure failed (1). */
function skipped(stack: Stack, reason: string, exitCode: ExitCode): StackResult {
  return { stack: stack.name, status: 'skipped', exitCode, reason };
}

function waitingLabel(deps: string[], results: Map<string, StackResult>): string {
  const pending = deps.filter((d) => !results.has(d));
  return pending.length ? `waiting on ${pending.join(', ')}` : 'waiting for a free slot';
}

import type { Stack } from '../config/load.js';
import { interrupted } from '../tofu/signals.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { aggregateExitCode, type RunReport, type StackResult } from './report.js';
import type { OutputSink } from './stack-workflow.js';

/** What a command does to one stack; the runner adds timing, errors and the stack name. */
export type StackTask = (stack: Stack, write: OutputSink) => Promise<Omit<StackResult, 'stack'>>;

/**
 * Runs a task over stacks in dependency order, one at a time, streaming tofu output to
 * `write`. A failure is recorded and the stacks after it are skipped with the reason;
 * after an interrupt no new stack starts.
 */
export async function runStacks(command: string, env: string, stacks: Stack[], task: StackTask, write: OutputSink): Promise<RunReport> {
  const results: StackResult[] = [];
  let failed: string | undefined;
  for (const stack of stacks) {
    const signal = interrupted();
    if (signal || failed) {
      results.push({ stack: stack.name, status: 'skipped', exitCode: EXIT.error, reason: signal ? `interrupted by ${signal}` : `${failed} failed` });
      continue;
    }
    const started = new Date();
    let result: StackResult;
    try {
      result = { stack: stack.name, ...(await task(stack, write)) };
    } catch (error) {
      if (!(error instanceof FoundationError)) throw error;
      result = { stack: stack.name, status: error.exitCode === EXIT.refused ? 'refused' : 'failed', exitCode: error.exitCode, error: { message: error.message, hint: error.hint } };
      if (error.exitCode !== EXIT.refused) failed = stack.name;
    }
    const finished = new Date();
    results.push({ ...result, startedAt: started.toISOString(), finishedAt: finished.toISOString(), durationMs: finished.getTime() - started.getTime() });
  }
  return { command, env, exitCode: aggregateExitCode(results.map((r) => r.exitCode)), stacks: results };
}

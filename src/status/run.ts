import type { GlobalOptions } from '../config/global-options.js';
import { runDrift } from '../drift/run.js';
import type { StackDriftReport } from '../drift/report.js';
import { prepareRun } from '../orchestrate/prepare.js';
import { aggregateExitCode } from '../orchestrate/report.js';
import { describeHolder, runLockHolder } from '../orchestrate/run-lock.js';
import { schedule, type RunView } from '../orchestrate/scheduler.js';
import type { Selection } from '../orchestrate/select.js';
import { PlanFailedError, statusPlan } from '../orchestrate/stack-workflow.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { readGuards } from './guards.js';
import { judge, type StatusReport } from './report.js';
import { readStateInfos } from './state-info.js';

export interface StatusOptions extends Selection {
  parallelism?: string;
  detailedExitcode?: boolean;
}

/**
 * Where each selected stack stands: its plan (repo -> state), its drift (state -> live),
 * its state object and its guards, all read at once: the plans run in parallel (as
 * `plan --all` does) while drift reads the cluster and S3 answers the rest. A part that
 * fails is that stack's error; every other part of every stack is still reported.
 */
export async function runStatus(global: GlobalOptions, names: string[], options: StatusOptions): Promise<StatusReport> {
  const run = await prepareRun(global, names, options, 'plan', { runLocks: false });
  const { ctx, stacks } = run;
  const holders = new Map(stacks.map((stack) => [stack.name, runLockHolder(ctx.project.dir, ctx.env, stack.name)]));
  // tofu's output is not shown (status prints a table): kept per stack for the line that says why a plan failed.
  const output = new Map<string, string>();
  const plain = { ...ctx, color: false };

  const plans = schedule(
    'status',
    ctx.env,
    stacks,
    async (stack, io) => {
      const holder = holders.get(stack.name);
      try {
        const plan = await statusPlan(plain, stack, run.files.get(stack.name)!, io, { heldBy: holder ? describeHolder(holder) : undefined });
        return { status: plan.exitCode === EXIT.changes ? 'changes' : 'no-changes', exitCode: EXIT.ok, summary: plan.summary, init: plan.init };
      } catch (error) {
        throw error instanceof PlanFailedError ? withTofuError(error, stack.name, output.get(stack.name) ?? '') : error;
      }
    },
    { parallelism: run.parallelism, view: capture(output), decided: run.refused, waitForDependencies: false },
  );
  const settled = await Promise.allSettled([
    plans,
    runDrift(global, stacks.map((s) => s.name), { detailedExitcode: options.detailedExitcode }),
    readStateInfos(ctx, stacks),
    Promise.all(stacks.map((stack) => readGuards(ctx.project, ctx.env, global.context, stack, holders.get(stack.name)))),
  ] as const);
  // Every part has ended (no tofu left running) before an error that stops the whole report goes on.
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  const [planReport, driftReport, states, guards] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
    Awaited<typeof plans>,
    Awaited<ReturnType<typeof runDrift>>,
    Awaited<ReturnType<typeof readStateInfos>>,
    Awaited<ReturnType<typeof readGuards>>[],
  ];

  const results = stacks.map((stack, i) => {
    const parts = {
      plan: planReport.stacks[i]!,
      drift: driftReport.stacks.find((d) => d.stack === stack.name) as StackDriftReport,
      state: states.get(stack.name)!,
      guards: guards[i]!,
    };
    return { stack: stack.name, ...judge(parts, options), ...parts };
  });
  return { command: 'status', env: ctx.env, exitCode: aggregateExitCode(results.map((r) => r.exitCode)), stacks: results };
}

function capture(output: Map<string, string>): RunView {
  return {
    io: (stack) => ({ write: (text) => output.set(stack.name, (output.get(stack.name) ?? '') + text), phase: () => {} }),
    finished: () => {},
  };
}

/** tofu's own first "Error:" line in the one line status shows, since its output is not shown. */
function withTofuError(error: FoundationError, stack: string, output: string): FoundationError {
  const reason = /^[│\s]*Error: (.+)$/m.exec(output)?.[1]?.trim();
  return new FoundationError(`${error.message}${reason ? `: ${reason}` : ''}`, `"foundation plan ${stack}" shows tofu's whole output`);
}

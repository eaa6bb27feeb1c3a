import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Stack } from '../config/project.js';
import { planHasChanges } from '../tofu/plan-summary.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { type PreparedRun, type RunOptions } from './prepare.js';
import { aggregateExitCode, type RunReport, type StackOutcome, type StackResult } from './report.js';
import { schedule } from './scheduler.js';
import type { StackIO } from '../ui/stack-io.js';
import { fileChecksum } from './plan-file.js';
import { applyPlanFile, defaultPlanFile, planOutcome, planStack, readPlanSummary } from './stack-workflow.js';

export interface ApplyRunOptions extends RunOptions {
  /** A saved plan file for the one stack. */
  plan?: string;
  /** Apply the plans a previous `foundation plan` saved under .foundation/plans/<env>/. */
  savedPlans?: boolean;
  autoApprove?: boolean;
}

/** Wraps one stack's `tofu apply`: the place for guards that act around it (the ARC drain). */
export type ApplyWrapper = (stack: Stack, io: StackIO, apply: () => Promise<void>) => Promise<void>;

/**
 * Apply over one or several stacks: plan every stack first (all at once, on every core,
 * none waiting for its dependencies' plans), show every summary and ask once unless approved, then apply
 * the saved plans in dependency order, `run.parallelism` at a time (one by default). A failed plan or apply skips the
 * stack's dependents; a stack with no changes applies nothing.
 */
export async function runApply(
  run: PreparedRun,
  options: ApplyRunOptions,
  { confirm, wrapApply }: { confirm: (plans: StackResult[]) => Promise<boolean>; wrapApply?: ApplyWrapper },
): Promise<RunReport> {
  const { ctx } = run;
  const failFast = options.failFast;
  // The checksum of each plan as shown: the apply applies exactly that plan.
  const checksums = new Map<string, string>();
  const plans = await schedule(
    'plan',
    ctx.env,
    run.stacks,
    async (stack, io): Promise<StackOutcome> => {
      const given = options.plan ?? (options.savedPlans ? defaultPlanFile(ctx, stack) : undefined);
      if (given) {
        io.phase('reading the saved plan');
        const checksum = fileChecksum(savedPlanFile(stack, given));
        const summary = await readPlanSummary(ctx, stack, given);
        if (fileChecksum(given) !== checksum) throw new FoundationError(`the plan file ${given} changed while it was read`, 'another run is writing it; wait for that run, then apply');
        checksums.set(stack.name, checksum);
        const changes = planHasChanges(summary);
        return { status: changes ? 'changes' : 'no-changes', exitCode: EXIT.ok, summary, planFile: given };
      }
      const plan = await planStack(ctx, stack, run.files.get(stack.name)!, io);
      checksums.set(stack.name, plan.checksum);
      return planOutcome(plan);
    },
    // Plans change nothing: they do not wait for their dependencies' plans.
    { parallelism: availableParallelism(), failFast, view: await run.view('plan'), decided: run.refused, waitForDependencies: false },
  );

  const pending = plans.stacks.filter((r) => r.status === 'changes');
  const approved = options.autoApprove || options.plan || options.savedPlans;
  if (pending.length > 0 && !approved && !(await confirm(plans.stacks))) {
    throw new FoundationError('apply cancelled: nothing was applied', 'the plan files are kept under .foundation/plans/');
  }

  // Stacks without changes, or whose plan did not succeed, are settled by the plan pass. One
  // planned while a dependency's plan failed is not: the apply pass skips it behind that dependency.
  const settled = new Map(plans.stacks.filter((r) => r.status !== 'changes' && r.status !== 'upstream-failed').map(({ stack, ...rest }) => [stack, rest]));
  const byName = new Map(plans.stacks.map((r) => [r.stack, r]));
  const applies = await schedule(
    'apply',
    ctx.env,
    run.stacks,
    async (stack, io): Promise<StackOutcome> => {
      const plan = byName.get(stack.name)!;
      const apply = () => applyPlanFile(ctx, stack, run.files.get(stack.name)!, plan.planFile!, checksums.get(stack.name)!, io);
      await (wrapApply ? wrapApply(stack, io, apply) : apply());
      // A saved plan cannot be applied twice: drop the one foundation made for this run.
      if (!options.plan && !options.savedPlans) rmSync(plan.planFile!, { force: true });
      return { status: 'applied', exitCode: EXIT.ok, summary: plan.summary, init: plan.init };
    },
    { parallelism: run.parallelism, failFast, view: await run.view('apply'), decided: settled },
  );

  const stacks = applies.stacks.map((applied) => mergeTimes(byName.get(applied.stack)!, applied));
  return { command: 'apply', env: ctx.env, exitCode: aggregateExitCode(stacks.map((r) => r.exitCode)), stacks };
}

/** A stack's apply result spans its plan and its apply. */
function mergeTimes(plan: StackResult, applied: StackResult): StackResult {
  if (plan.status !== 'changes' || !plan.startedAt || !applied.startedAt) return applied;
  return { ...applied, startedAt: plan.startedAt, durationMs: (plan.durationMs ?? 0) + (applied.durationMs ?? 0) };
}

function savedPlanFile(stack: Stack, file: string): string {
  if (!existsSync(file)) {
    throw new FoundationError(`no saved plan for stack "${stack.name}" at ${file}`, `run "foundation plan ${stack.name}" first, or apply with --auto-approve`);
  }
  return file;
}

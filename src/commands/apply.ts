import { runApply, type ApplyRunOptions } from '../orchestrate/apply-run.js';
import { prepareRun } from '../orchestrate/prepare.js';
import type { StackResult } from '../orchestrate/report.js';
import { describeSummary } from '../tofu/plan-summary.js';
import { confirm } from '../ui/confirm.js';
import { connectDrainTarget, drainAround, drainOptions, parseDrainFlags, type DrainFlags, type DrainOptions, type DrainTarget } from '../kube/drain.js';
import { FoundationError, RefusedError } from '../ui/errors.js';
import { isCI, isInteractive, printErr } from '../ui/output.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from '../config/global-options.js';

type ApplyOptions = ApplyRunOptions & DrainFlags & { skipDrain?: boolean };

export async function run(global: GlobalOptions, names: string[], options: ApplyOptions): Promise<number> {
  if (options.plan && names.length !== 1) {
    throw new FoundationError('--plan takes exactly one named stack', 'for several stacks, run "foundation plan" for them and apply with --saved-plans');
  }
  if (options.plan && options.savedPlans) throw new FoundationError('--plan and --saved-plans do not go together', 'use --plan <file> for one stack, --saved-plans for several');
  // Decided before anything runs: without a terminal nobody can answer a prompt.
  if (!options.plan && !options.savedPlans && !options.autoApprove && !isInteractive()) {
    throw new FoundationError(
      'apply needs --plan <file>, --saved-plans or --auto-approve when there is no terminal to confirm in',
      'run "foundation plan" first and apply its plans with --plan / --saved-plans, or pass --auto-approve',
    );
  }
  const allowSkip = checkSkipDrain(options);
  parseDrainFlags(options);
  const run = await prepareRun(global, names, options, 'apply');
  // The drain preflight is read-only: durations, context, API, CRDs, scale sets. It runs before any plan.
  const targets = new Map<string, { target: DrainTarget; options: DrainOptions }>();
  for (const stack of run.stacks) {
    const drain = stack.spec.apply.drain;
    if (!drain || !run.files.has(stack.name) || allowSkip) continue;
    const durations = drainOptions(drain, options);
    targets.set(stack.name, { target: await connectDrainTarget(run.ctx.project, stack, run.ctx.env, global.context), options: durations });
  }
  const report = await runApply(run, options, {
    confirm: (plans) => askOnce(run.ctx.env, plans),
    wrapApply: (stack, io, apply) => {
      const guarded = targets.get(stack.name);
      return guarded ? drainAround(guarded.target, io, apply, guarded.options) : apply();
    },
  });
  renderReport(report, options);
  return report.exitCode;
}

/** --skip-drain is for emergencies: loud, and refused in CI unless FOUNDATION_ALLOW_SKIP_DRAIN=1. */
function checkSkipDrain(options: ApplyOptions): boolean {
  if (!options.skipDrain) return false;
  if (isCI() && process.env.FOUNDATION_ALLOW_SKIP_DRAIN !== '1') {
    throw new RefusedError('--skip-drain is refused in CI', 'set FOUNDATION_ALLOW_SKIP_DRAIN=1 for this job if the apply really must run without draining the scale sets');
  }
  printErr('WARNING: --skip-drain: the ARC scale sets are NOT drained. A scale-set cap change in this apply restarts');
  printErr('WARNING: the listener of every changed scale set, and a job running on one of them may lose its runner.');
  return true;
}

/** Every plan summary first, then one question for the whole run. */
async function askOnce(env: string, plans: StackResult[]): Promise<boolean> {
  printErr(`\nfoundation will apply in ENV ${env}:`);
  for (const plan of plans) {
    printErr(`  ${plan.stack}: ${plan.status === 'changes' ? describeSummary(plan.summary!) : (plan.reason ?? plan.error?.message ?? plan.status)}`);
  }
  const count = plans.filter((p) => p.status === 'changes').length;
  return confirm(`Apply ${count === 1 ? 'these changes' : `the changes to these ${count} stacks`}?`);
}

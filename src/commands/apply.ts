import { runApply, type ApplyRunOptions } from '../orchestrate/apply-run.js';
import { prepareRun } from '../orchestrate/prepare.js';
import type { StackResult } from '../orchestrate/report.js';
import { describeSummary } from '../tofu/plan-summary.js';
import { confirm } from '../ui/confirm.js';
import { FoundationError } from '../ui/errors.js';
import { isInteractive, printErr } from '../ui/output.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, names: string[], options: ApplyRunOptions): Promise<number> {
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
  const run = await prepareRun(global, { ...options, names }, options, 'apply');
  const report = await runApply(run, options, { confirm: (plans) => askOnce(run.ctx.env, plans) });
  renderReport(report, options);
  return report.exitCode;
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

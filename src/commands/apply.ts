import { existsSync, rmSync } from 'node:fs';
import { prepareRun } from '../orchestrate/prepare.js';
import { runStacks } from '../orchestrate/run-stacks.js';
import { applyPlanFile, planStack, readPlanSummary } from '../orchestrate/stack-workflow.js';
import { describeSummary, planHasChanges } from '../tofu/plan-summary.js';
import { confirm } from '../ui/confirm.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { isInteractive, printErr } from '../ui/output.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from './options.js';

interface ApplyOptions {
  plan?: string;
  autoApprove?: boolean;
  json?: boolean;
}

export async function run(global: GlobalOptions, name: string, options: ApplyOptions): Promise<number> {
  // Decided before anything runs: without a terminal nobody can answer a prompt.
  if (!options.plan && !options.autoApprove && !isInteractive()) {
    throw new FoundationError(
      'apply needs --plan <file> or --auto-approve when there is no terminal to confirm in',
      `run "foundation plan ${name}" and apply its plan with --plan, or pass --auto-approve`,
    );
  }
  if (options.plan && !existsSync(options.plan)) {
    throw new FoundationError(`plan file ${options.plan} does not exist`, `run "foundation plan ${name} --out ${options.plan}" first`);
  }
  const { ctx, stacks, files, write } = await prepareRun(global, [name], options);
  const report = await runStacks('apply', ctx.env, stacks, async (stack, out) => {
    const stackFiles = files.get(stack.name)!;
    const plan = options.plan
      ? { planFile: options.plan, summary: await readPlanSummary(ctx, stack, options.plan) }
      : await planStack(ctx, stack, stackFiles, out);
    if (!planHasChanges(plan.summary)) return { status: 'no-changes', exitCode: EXIT.ok, summary: plan.summary, planFile: plan.planFile };
    if (!options.plan && !options.autoApprove) {
      printErr(`${stack.name} (ENV ${ctx.env}): ${describeSummary(plan.summary)}`);
      if (!(await confirm(`Apply these changes to ${stack.name} in ${ctx.env}?`))) {
        throw new FoundationError(`apply of ${stack.name} cancelled`, 'nothing was applied; the plan file is kept');
      }
    }
    await applyPlanFile(ctx, stack, stackFiles, plan.planFile, out);
    // A saved plan cannot be applied twice; drop the one foundation made.
    if (!options.plan) rmSync(plan.planFile, { force: true });
    return { status: 'applied', exitCode: EXIT.changes, summary: plan.summary };
  }, write);
  renderReport(report, options);
  return report.exitCode;
}

import { prepareRun } from '../orchestrate/prepare.js';
import { runStacks } from '../orchestrate/run-stacks.js';
import { planStack } from '../orchestrate/stack-workflow.js';
import { EXIT } from '../ui/errors.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, name: string, options: { out?: string; json?: boolean }): Promise<number> {
  const { ctx, stacks, files, write } = await prepareRun(global, [name], options);
  const report = await runStacks('plan', ctx.env, stacks, async (stack, out) => {
    const plan = await planStack(ctx, stack, files.get(stack.name)!, out, { out: options.out });
    return { status: plan.exitCode === EXIT.changes ? 'changes' : 'no-changes', exitCode: plan.exitCode, summary: plan.summary, planFile: plan.planFile, init: plan.init };
  }, write);
  renderReport(report, options);
  return report.exitCode;
}

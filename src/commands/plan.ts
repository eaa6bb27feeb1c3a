import { prepareRun, type RunOptions } from '../orchestrate/prepare.js';
import { schedule } from '../orchestrate/scheduler.js';
import { planOutcome, planStack } from '../orchestrate/stack-workflow.js';
import { FoundationError } from '../ui/errors.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, names: string[], options: RunOptions & { out?: string }): Promise<number> {
  if (options.out && names.length !== 1) throw new FoundationError('--out takes exactly one named stack', 'plan several stacks without --out: each plan goes to .foundation/plans/<env>/<stack>.tfplan');
  const run = await prepareRun(global, names, options, 'plan');
  const report = await schedule(
    'plan',
    run.ctx.env,
    run.stacks,
    async (stack, io) => planOutcome(await planStack(run.ctx, stack, run.files.get(stack.name)!, io, { out: options.out })),
    { parallelism: run.parallelism, failFast: options.failFast, view: await run.view('plan'), decided: run.refused, waitForDependencies: false },
  );
  renderReport(report, options);
  return report.exitCode;
}

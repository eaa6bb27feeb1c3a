import { prepareRun, type RunOptions } from '../orchestrate/prepare.js';
import { schedule } from '../orchestrate/scheduler.js';
import { initStack } from '../orchestrate/stack-workflow.js';
import { EXIT } from '../ui/errors.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, names: string[], options: RunOptions & { force?: boolean }): Promise<number> {
  const run = await prepareRun(global, names, options, 'init');
  const report = await schedule(
    'init',
    run.ctx.env,
    run.stacks,
    async (stack, io) => ({ status: 'initialized', exitCode: EXIT.ok, init: await initStack(run.ctx, stack, run.files.get(stack.name)!, io, { force: options.force }) }),
    { parallelism: run.parallelism, failFast: options.failFast, view: await run.view('init'), decided: run.refused },
  );
  renderReport(report, options);
  return report.exitCode;
}

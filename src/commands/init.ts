import { prepareRun } from '../orchestrate/prepare.js';
import { runStacks } from '../orchestrate/run-stacks.js';
import { initStack } from '../orchestrate/stack-workflow.js';
import { EXIT } from '../ui/errors.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, name: string, options: { force?: boolean; json?: boolean }): Promise<number> {
  const { ctx, stacks, files, write } = await prepareRun(global, [name], options);
  const report = await runStacks('init', ctx.env, stacks, async (stack, out) => ({
    status: 'initialized',
    exitCode: EXIT.ok,
    init: await initStack(ctx, stack, files.get(stack.name)!, out, { force: options.force }),
  }), write);
  renderReport(report, options);
  return report.exitCode;
}

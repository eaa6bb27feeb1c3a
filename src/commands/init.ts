import { initLegacy, wantsLegacyInit } from '../state/legacy-init.js';
import { prepareRun, type RunOptions } from '../orchestrate/prepare.js';
import { schedule } from '../orchestrate/scheduler.js';
import { initStack } from '../orchestrate/stack-workflow.js';
import { EXIT } from '../ui/errors.js';
import { printJson, printOut } from '../ui/output.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, names: string[], options: RunOptions & { force?: boolean; legacy?: boolean }): Promise<number> {
  if (wantsLegacyInit(global, names, options)) {
    const legacy = await initLegacy(global, names[0]!, { force: options.force, write: (text) => (options.json ? process.stderr : process.stdout).write(text) });
    if (options.json) printJson({ command: 'init', env: legacy.env, stack: legacy.stack.name, backend: 'gitlab-http', address: legacy.files.key, init: legacy.init });
    else printOut(`${legacy.stack.name} (ENV ${legacy.env}): ${legacy.init.ran ? 'initialized' : 'init skipped'} against GitLab-managed state ${legacy.files.key} (${legacy.init.reason})`);
    return EXIT.ok;
  }
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

import path from 'node:path';
import { prepareRun, type RunOptions } from '../orchestrate/prepare.js';
import type { RunReport } from '../orchestrate/report.js';
import { schedule } from '../orchestrate/scheduler.js';
import { planOutcome, planStack } from '../orchestrate/stack-workflow.js';
import { FoundationError } from '../ui/errors.js';
import { printOut } from '../ui/output.js';
import { renderReport } from '../ui/run-output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, names: string[], options: RunOptions & { out?: string; detailedExitcode?: boolean }): Promise<number> {
  if (options.out && names.length !== 1) throw new FoundationError('--out takes exactly one named stack', 'plan several stacks without --out: each plan goes to .foundation/plans/<env>/<stack>.tfplan');
  const run = await prepareRun(global, names, options, 'plan');
  const report = await schedule(
    'plan',
    run.ctx.env,
    run.stacks,
    async (stack, io) => planOutcome(await planStack(run.ctx, stack, run.files.get(stack.name)!, io, { out: options.out }), { detailedExitcode: options.detailedExitcode }),
    { parallelism: run.parallelism, failFast: options.failFast, view: await run.view('plan'), decided: run.refused, waitForDependencies: false },
  );
  renderReport(report, options);
  const next = nextStep(report, global);
  if (next && !options.json) printOut(`next: ${next}`);
  return report.exitCode;
}

/** foundation's own next step (tofu's "run: tofu apply <plan>" would skip foundation's guards). */
function nextStep(report: RunReport, global: GlobalOptions): string | undefined {
  const changed = report.stacks.filter((s) => s.status === 'changes');
  if (changed.length === 0) return undefined;
  const env = global.env ? ` --env ${global.env}` : '';
  if (changed.length === 1) {
    const [only] = changed as [(typeof changed)[number]];
    return `foundation apply ${only.stack}${env} --plan ${path.relative(process.cwd(), only.planFile!) || only.planFile}`;
  }
  return `foundation apply ${changed.map((s) => s.stack).join(' ')}${env} --saved-plans`;
}

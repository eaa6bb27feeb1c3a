import { appendFileSync } from 'node:fs';
import { humanReport, markdownReport } from '../drift/report.js';
import { runDrift, type DriftOptions } from '../drift/run.js';
import { FoundationError } from '../ui/errors.js';
import { printErr, printJson, printOut } from '../ui/output.js';
import { redact } from '../ui/redact.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, names: string[], options: DriftOptions & { json?: boolean; markdown?: boolean }): Promise<number> {
  if (options.json && options.markdown) throw new FoundationError('--json and --markdown do not go together', 'pick one output format');
  const report = await runDrift(global, names, options);
  const onlyFailure = report.stacks.length === 1 && report.stacks[0]!.error;
  if (options.json) printJson(report);
  else if (options.markdown) printOut(markdownReport(report));
  else if (!onlyFailure) printOut(humanReport(report));
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, redact(markdownReport(report)));
  for (const failed of report.stacks.filter((s) => s.error)) {
    printErr(`error: ${report.stacks.length > 1 ? `${failed.stack}: ` : ''}${failed.error!.message}`);
    if (failed.error!.hint) printErr(`hint: ${failed.error!.hint}`);
  }
  return report.exitCode;
}

import { appendFileSync } from 'node:fs';
import { humanReport, markdownReport } from '../status/report.js';
import { runStatus, type StatusOptions } from '../status/run.js';
import { FoundationError } from '../ui/errors.js';
import { printJson, printOut } from '../ui/output.js';
import { redact } from '../ui/redact.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, names: string[], options: StatusOptions & { json?: boolean; markdown?: boolean }): Promise<number> {
  if (options.json && options.markdown) throw new FoundationError('--json and --markdown do not go together', 'pick one output format');
  const report = await runStatus(global, names, options);
  if (options.json) printJson(report);
  else if (options.markdown) printOut(markdownReport(report));
  else printOut(humanReport(report, { envFlag: global.env }));
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, redact(markdownReport(report)));
  return report.exitCode;
}

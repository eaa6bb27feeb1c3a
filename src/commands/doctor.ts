import { runDoctor } from '../doctor/run.js';
import { printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const report = await runDoctor(global);
  if (options.json) printJson(report);
  else for (const { check, status, detail } of report.checks) printOut(`${status.padEnd(4)} ${check}: ${detail}`);
  return report.exitCode;
}

import path from 'node:path';
import type { RunReport, StackResult } from '../orchestrate/report.js';
import { describeSummary } from '../tofu/plan-summary.js';
import { formatTable, printErr, printJson, printOut } from './output.js';

/** Prints a run's result: the JSON report, or one line per stack (a table for several) and the errors. */
export function renderReport(report: RunReport, { json }: { json?: boolean }): void {
  if (json) {
    printJson(report);
    return;
  }
  if (report.stacks.length === 1) {
    const [only] = report.stacks as [StackResult];
    if (only.error) printError(only);
    else printOut(`${only.stack} (ENV ${report.env}): ${describeResult(only)}`);
    return;
  }
  printOut(
    formatTable(
      ['STACK', 'RESULT', 'ADD', 'CHANGE', 'DESTROY', 'DURATION'],
      report.stacks.map((r) => [
        r.stack,
        r.status,
        String(r.summary?.add ?? '-'),
        String(r.summary?.change ?? '-'),
        String(r.summary?.destroy ?? '-'),
        r.durationMs === undefined ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`,
      ]),
    ),
  );
  for (const r of report.stacks) if (r.error) printError(r);
}

function describeResult(r: StackResult): string {
  const plan = r.planFile ? `; plan saved to ${path.relative(process.cwd(), r.planFile) || r.planFile}` : '';
  switch (r.status) {
    case 'no-changes':
      return `no changes${plan}`;
    case 'changes':
      return `${describeSummary(r.summary!)}${plan}`;
    case 'applied':
      return `applied: ${describeSummary(r.summary!)}`;
    case 'initialized':
      return r.init?.ran ? `initialized (${r.init.reason})` : `init skipped (${r.init?.reason})`;
    default:
      return r.reason ?? r.status;
  }
}

function printError(r: StackResult): void {
  printErr(`error: ${r.error!.message}`);
  if (r.error!.hint) printErr(`hint: ${r.error!.hint}`);
}

import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport, StackResult } from '../orchestrate/report.js';
import { describeSummary } from '../tofu/plan-summary.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatTable, printErr, printJson, printOut } from './output.js';
import { redact } from './redact.js';

/**
 * Prints a run's result: the JSON report, or for one stack a line (or its error), for
 * several the summary table, last. Then writes --report-file and the GitHub step summary.
 */
export function renderReport(report: RunReport, { json, reportFile }: { json?: boolean; reportFile?: string }): void {
  if (json) printJson(report);
  else if (report.stacks.length === 1) {
    const [only] = report.stacks as [StackResult];
    if (only.error) {
      printErr(`error: ${only.error.message}`);
      if (only.error.hint) printErr(`hint: ${only.error.hint}`);
    } else printOut(`${only.stack} (ENV ${report.env}): ${describeResult(only)}`);
  } else {
    printOut(`\nfoundation ${report.command} (ENV ${report.env}): exit ${report.exitCode}`);
    printOut(formatTable(['STACK', 'RESULT', 'ADD', 'CHANGE', 'DESTROY', 'DURATION', 'DETAIL'], report.stacks.map(tableRow)));
  }
  if (reportFile) writeFileAtomic(path.resolve(reportFile), `${redact(JSON.stringify(report, null, 2))}\n`);
  const stepSummary = process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) appendFileSync(stepSummary, redact(markdownSummary(report)));
}

function tableRow(r: StackResult): string[] {
  return [
    r.stack,
    r.status,
    String(r.summary?.add ?? '-'),
    String(r.summary?.change ?? '-'),
    String(r.summary?.destroy ?? '-'),
    r.durationMs === undefined ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`,
    r.error?.message ?? r.reason ?? '',
  ];
}

/** The run as a markdown table, for GITHUB_STEP_SUMMARY. */
export function markdownSummary(report: RunReport): string {
  const escape = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [
    `### foundation ${report.command} (ENV ${report.env}): exit ${report.exitCode}`,
    '',
    '| stack | result | add | change | destroy | duration | detail |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...report.stacks.map((r) => `| ${tableRow(r).map(escape).join(' | ')} |`),
    '',
  ];
  return `${lines.join('\n')}\n`;
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
      if (!r.init?.ran) return `init skipped (${r.init?.reason})`;
      return r.init.reason === 'not initialized' ? 'initialized' : `initialized again (${r.init.reason})`;
    default:
      return r.reason ?? r.status;
  }
}

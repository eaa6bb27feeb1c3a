import { listAcceptances } from '../drift/accepted.js';
import type { AcceptanceRecord } from '../drift/stack-drift.js';
import type { Selection } from '../orchestrate/select.js';
import { formatTable, printErr, printJson, printOut } from '../ui/output.js';
import { formatDuration } from '../util/duration.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, names: string[], options: Omit<Selection, 'names'> & { stateFile?: string; json?: boolean }): Promise<number> {
  const report = await listAcceptances(global, names, options);
  if (options.json) printJson(report);
  else {
    const now = Date.now();
    const rows = report.stacks.flatMap((s) => (s.acceptances ?? []).map((a) => row(s.stack, a, now)));
    const readable = report.stacks.filter((s) => s.acceptances).map((s) => s.stack);
    if (rows.length) printOut(formatTable(['STACK', 'OBJECT', 'PATHS', 'UNTIL', 'STATE', 'DRIFTING NOW', 'BY', 'REASON'], rows));
    else if (readable.length) printOut(`no acceptances on the objects of ${readable.join(', ')}`);
  }
  for (const failed of report.stacks.filter((s) => s.error)) {
    printErr(`error: ${report.stacks.length > 1 ? `${failed.stack}: ` : ''}${failed.error!.message}`);
    if (failed.error!.hint) printErr(`hint: ${failed.error!.hint}`);
  }
  return report.exitCode;
}

function row(stack: string, a: AcceptanceRecord, now: number): string[] {
  const object = `${a.kind} ${a.namespace ? `${a.namespace}/` : ''}${a.name}`;
  if ('error' in a) return [stack, object, '-', '-', `unreadable: ${a.error}`, '-', '-', '-'];
  const left = Date.parse(a.until) - now;
  const state = a.expired ? `expired ${formatDuration(-left)} ago` : `accepted, ${formatDuration(left)} left`;
  return [stack, object, a.paths.join(', '), a.until, state, a.covers.length ? a.covers.join(', ') : '-', a.by, a.reason];
}

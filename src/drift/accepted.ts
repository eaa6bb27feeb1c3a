import type { GlobalOptions } from '../config/global-options.js';
import { aggregateExitCode } from '../orchestrate/report.js';
import type { Selection } from '../orchestrate/select.js';
import { EXIT, type ExitCode } from '../ui/errors.js';
import { runDrift } from './run.js';
import type { AcceptanceRecord } from './stack-drift.js';

/** The `drift accepted --json` shape (docs/json.md): each stack's acceptances, or why it could not be read. */
export interface AcceptedReport {
  command: 'drift accepted';
  env: string;
  exitCode: ExitCode;
  stacks: Array<{ stack: string; acceptances?: AcceptanceRecord[]; error?: { message: string; hint?: string } }>;
}

/** The acceptances on each stack's managed objects, found by the stack's drift run (which writes nothing). */
export async function listAcceptances(global: GlobalOptions, names: string[], options: Omit<Selection, 'names'> & { stateFile?: string }): Promise<AcceptedReport> {
  const drift = await runDrift(global, names, { ...options, detailedExitcode: false });
  const stacks = drift.stacks.map((s) => (s.error ? { stack: s.stack, error: s.error } : { stack: s.stack, acceptances: s.acceptances ?? [] }));
  return { command: 'drift accepted', env: drift.env, exitCode: aggregateExitCode(stacks.map((s) => (s.error ? EXIT.error : EXIT.ok))), stacks };
}

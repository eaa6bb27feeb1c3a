import type { PlanSummary } from '../tofu/plan-summary.js';
import { EXIT, type ExitCode } from '../ui/errors.js';

export type StackStatus =
  | 'no-changes'
  | 'changes'
  | 'applied'
  | 'initialized'
  | 'failed'
  | 'refused'
  | 'skipped'
  /** tofu was running when the interrupt came and stopped. */
  | 'interrupted'
  /** The interrupt came before the stack's turn. */
  | 'not-started'
  /** Planned, while the plan of a stack it depends on failed: the plan may be stale. */
  | 'upstream-failed';

/** Whether `tofu init` ran for a stack, and why (or why not). */
export interface InitOutcome {
  ran: boolean;
  /** Why init ran, or why it was skipped. */
  reason: string;
}

export interface StackResult {
  stack: string;
  status: StackStatus;
  exitCode: ExitCode;
  summary?: PlanSummary;
  planFile?: string;
  init?: InitOutcome;
  error?: { message: string; hint?: string };
  /** Why a stack was skipped or refused, or why its plan may be stale. */
  reason?: string;
  /** With status "upstream-failed": the stack whose plan failed. */
  upstreamFailed?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

/** What a stack's task returns; the scheduler adds the name and the times. */
export type StackOutcome = Omit<StackResult, 'stack' | 'startedAt' | 'finishedAt' | 'durationMs'>;

export interface RunReport {
  command: string;
  env: string;
  exitCode: ExitCode;
  stacks: StackResult[];
}

/** Whether dependents may run after this result. */
export function succeeded(result: StackResult): boolean {
  return ['no-changes', 'changes', 'applied', 'initialized'].includes(result.status);
}

/** The rule for every multi-stack command: any 1 gives 1, else any 3 gives 3, else any 2 gives 2, else 0. */
export function aggregateExitCode(codes: ExitCode[]): ExitCode {
  for (const code of [EXIT.error, EXIT.refused, EXIT.changes] as const) {
    if (codes.includes(code)) return code;
  }
  return EXIT.ok;
}

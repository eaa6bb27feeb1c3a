import type { StackDriftReport } from '../drift/report.js';
import type { StackResult } from '../orchestrate/report.js';
import { describeHolder } from '../orchestrate/run-lock.js';
import { describeLock } from '../state/lock.js';
import { planHasChanges, type PlanSummary } from '../tofu/plan-summary.js';
import { EXIT, type ExitCode } from '../ui/errors.js';
import { formatTable } from '../ui/output.js';
import { formatDuration } from '../util/duration.js';
import { parseIdentity } from '../kube/identity.js';
import type { StackGuards } from './guards.js';
import type { StateInfo } from './state-info.js';

export type Verdict = 'in sync' | 'changes pending' | 'drifted' | 'both' | 'error';

/** One stack: both gaps of the truth order, the state object, and the guards. */
export interface StackStatus {
  stack: string;
  verdict: Verdict;
  exitCode: ExitCode;
  /** repo -> state: the plan's result, as `plan --json` reports a stack (no plan file is kept). */
  plan: StackResult;
  /** state -> live: the stack's drift report, as `drift --json` has it. */
  drift: StackDriftReport;
  state: StateInfo;
  guards: StackGuards;
}

/** The `--json` shape (documented in docs/json.md). */
export interface StatusReport {
  command: 'status';
  env: string;
  exitCode: ExitCode;
  stacks: StackStatus[];
}

const WIDTH = 120;
const PLANNED = ['no-changes', 'changes', 'upstream-failed'];

function planChanges(plan: StackResult): boolean {
  return plan.status === 'changes' || (plan.status === 'upstream-failed' && planHasChanges(plan.summary!));
}

/** The verdict and exit code of a stack: error when any part could not be read; 2 for "not in sync" only with --detailed-exitcode. */
export function judge(parts: Omit<StackStatus, 'stack' | 'verdict' | 'exitCode'>, { detailedExitcode = false } = {}): { verdict: Verdict; exitCode: ExitCode } {
  const { plan, drift, state, guards } = parts;
  const failed = !PLANNED.includes(plan.status) || drift.status === 'failed' || state.error !== undefined || (guards.drain !== null && 'error' in guards.drain);
  if (failed) return { verdict: 'error', exitCode: plan.status === 'refused' ? EXIT.refused : EXIT.error };
  const changes = planChanges(plan);
  const drifted = drift.status === 'drifted';
  const verdict: Verdict = changes && drifted ? 'both' : changes ? 'changes pending' : drifted ? 'drifted' : 'in sync';
  return { verdict, exitCode: verdict !== 'in sync' && detailedExitcode ? EXIT.changes : EXIT.ok };
}

/** "+1 ~2 -0" as tofu marks add, change and destroy; "no changes"; or why there is no plan. */
function planCell(plan: StackResult): string {
  if (!PLANNED.includes(plan.status)) return plan.status;
  const s: PlanSummary = plan.summary!;
  const text = planHasChanges(s) ? `+${s.add} ~${s.change} -${s.destroy}${s.add + s.change + s.destroy === 0 ? ' (outputs)' : ''}` : 'no changes';
  return plan.status === 'upstream-failed' ? `${text} (stale?)` : text;
}

function driftCell(drift: StackDriftReport): string {
  if (drift.status === 'failed') return 'error';
  const c = drift.counts!;
  // Fields an operator accepted for a bounded time are in sync for the verdict, but said.
  const accepted = c.accepted ? ` (${c.accepted} accepted)` : '';
  if (drift.status === 'in-sync') return `in sync${accepted}`;
  const releases = drift.releases?.filter((r) => r.drifted).length ?? 0;
  const parts = [[c.changed, 'changed'], [c.missing, 'missing'], [c.unmanaged, 'unmanaged'], [releases, releases === 1 ? 'release' : 'releases']] as const;
  return parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`).join(', ') + accepted;
}

function coverageCell(drift: StackDriftReport): string {
  const coverage = drift.counts?.coverage;
  return coverage === null || coverage === undefined ? '-' : `${Math.floor(coverage * 1000) / 10}%`;
}

function stateCell(state: StateInfo, now: number): string {
  if (state.error) return 'error';
  if (state.serial === null) return 'no state';
  return `#${state.serial}${state.lastModified ? `, ${formatDuration(now - Date.parse(state.lastModified)).split(' ')[0]} ago` : ''}`;
}

function drained(guards: StackGuards): { drained: string[]; total: number } | undefined {
  if (!guards.drain || 'error' in guards.drain) return undefined;
  return { drained: guards.drain.scaleSets.filter((s) => s.drain).map((s) => s.name), total: guards.drain.scaleSets.length };
}

/** Short flags for whatever holds the stack now; the notes under the table say who. */
function locksCell(status: StackStatus): string {
  const flags: string[] = [];
  if (status.state.lock) flags.push('state lock');
  if (status.guards.runLock) flags.push('run lock');
  const drain = drained(status.guards);
  if (drain?.drained.length) flags.push(`drained ${drain.drained.length}/${drain.total}`);
  if (status.guards.drain && !('error' in status.guards.drain) && status.guards.drain.lease?.holder) flags.push('drain lease');
  if (status.guards.drain && 'error' in status.guards.drain) flags.push('drain guard: error');
  return flags.join(', ') || '-';
}

/** "runner-7 pid=4242" of a drain holder's identity (the JSON has all of it). */
function shortHolder(holder: string): string {
  const { host, pid } = parseIdentity(holder);
  return pid === undefined ? host : `${host} pid=${pid}`;
}

/** One line per thing the table only flags: failures with their hints, lock holders, drains. */
function noteLines(s: StackStatus): string[] {
  const lines: string[] = [];
  const failure = (part: string, error: { message: string; hint?: string } | undefined) => {
    if (!error) return;
    lines.push(`${s.stack}: ${part}: ${error.message}`);
    if (error.hint) lines.push(`  hint: ${error.hint}`);
  };
  failure('plan', s.plan.error ?? (s.plan.reason && !PLANNED.includes(s.plan.status) ? { message: s.plan.reason } : undefined));
  if (s.plan.status === 'upstream-failed') lines.push(`${s.stack}: plan: ${s.plan.reason}`);
  failure('drift', s.drift.error);
  failure('state', s.state.error);
  if (s.state.lock) lines.push(`${s.stack}: state lock ${describeLock(s.state.lock)} (ID ${s.state.lock.id})`);
  if (s.guards.runLock) lines.push(`${s.stack}: run lock held by ${describeHolder(s.guards.runLock)}`);
  const drain = s.guards.drain;
  if (drain && 'error' in drain) failure('drain guard', drain.error);
  else if (drain) {
    const sets = drain.scaleSets.filter((set) => set.drain).map((set) => `${set.name} (${set.drain!.drainedAt}, ${shortHolder(set.drain!.holder)})`);
    if (sets.length) lines.push(`${s.stack}: drained now: ${sets.join(', ')}`);
    if (drain.lease?.holder) lines.push(`${s.stack}: drain Lease ${drain.namespace}/foundation-drain held by ${shortHolder(drain.lease.holder)}${drain.lease.stale ? ' (stale: the next drain takes it over)' : ''}`);
  }
  return lines;
}

/** The next commands that show more: plans for changes pending, drift for drifted stacks. */
function nextLines(report: StatusReport, env: string): string[] {
  const flag = env ? ` --env ${env}` : '';
  const changes = report.stacks.filter((s) => s.verdict === 'changes pending' || s.verdict === 'both').map((s) => s.stack);
  const drifted = report.stacks.filter((s) => s.verdict === 'drifted' || s.verdict === 'both').map((s) => s.stack);
  return [
    ...(changes.length ? [`next: foundation plan ${changes.join(' ')}${flag}   (the changes)`] : []),
    ...(drifted.length ? [`next: foundation drift ${drifted.join(' ')}${flag}   (what drifted, field by field)`] : []),
  ];
}

function rows(report: StatusReport, now: number): string[][] {
  return report.stacks.map((s) => [s.stack, s.verdict, planCell(s.plan), driftCell(s.drift), coverageCell(s.drift), stateCell(s.state, now), locksCell(s)]);
}

const HEADER = ['STACK', 'VERDICT', 'REPO→STATE', 'STATE→LIVE', 'COVERAGE', 'STATE', 'LOCKS AND GUARDS'];

/** Counts of each verdict, for the first line. */
function tally(report: StatusReport): string {
  const order: Verdict[] = ['in sync', 'changes pending', 'drifted', 'both', 'error'];
  return order.map((v) => [v, report.stacks.filter((s) => s.verdict === v).length] as const).filter(([, n]) => n > 0).map(([v, n]) => `${n} ${v}`).join(', ');
}

/** The table for people (at most 120 columns), then the notes and the next commands. */
export function humanReport(report: StatusReport, { envFlag = '', now = Date.now() }: { envFlag?: string; now?: number } = {}): string {
  const table = formatTable(HEADER, rows(report, now))
    .split('\n')
    .map((line) => (line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line));
  const notes = report.stacks.flatMap(noteLines);
  const next = nextLines(report, envFlag);
  return [`foundation status (ENV ${report.env}): ${tally(report)}; exit ${report.exitCode}`, ...table, ...(notes.length ? ['', ...notes] : []), ...(next.length ? ['', ...next] : [])].join('\n');
}

/** The report as markdown, for a CI job summary. */
export function markdownReport(report: StatusReport, now = Date.now()): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const notes = report.stacks.flatMap(noteLines).filter((line) => !line.startsWith('  hint: '));
  return [
    `### foundation status (ENV ${report.env}): ${tally(report)}`,
    '',
    `| ${HEADER.map((h) => h.toLowerCase()).join(' | ')} |`,
    '| --- | --- | --- | --- | ---: | --- | --- |',
    ...rows(report, now).map((row) => `| ${row.map(cell).join(' | ')} |`),
    '',
    ...notes.map((line) => `- ${cell(line)}`),
    ...(notes.length ? [''] : []),
  ].join('\n');
}

import type { ExitCode } from '../ui/errors.js';
import { formatTable } from '../ui/output.js';
import { describeAcceptance } from './acceptance.js';
import type { FieldDiff } from './diff.js';
import { describe, type ObjectDrift, type StackDriftResult } from './stack-drift.js';

export interface StackDriftReport extends Partial<StackDriftResult> {
  stack: string;
  status: 'in-sync' | 'drifted' | 'failed';
  exitCode: ExitCode;
  /** Where the state came from: s3://bucket/key or a local file. */
  state?: string;
  context?: string;
  error?: { message: string; hint?: string };
}

/** The `--json` shape (documented in docs/json.md). */
export interface DriftReport {
  command: 'drift';
  env: string;
  exitCode: ExitCode;
  stacks: StackDriftReport[];
}

const LONGEST_VALUE = 120;

/** A value as one short line: strings quoted, objects as compact JSON, absent as "(absent)". */
export function showValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > LONGEST_VALUE ? `${text.slice(0, LONGEST_VALUE - 1)}…` : text;
}

function percent(coverage: number | null | undefined): string {
  return coverage === null || coverage === undefined ? '-' : `${Math.floor(coverage * 1000) / 10}%`;
}

/** One field: its values (none for a Secret key) and, when one covers it, the acceptance. */
function fieldLine(f: FieldDiff): string {
  const values = 'expected' in f || 'live' in f ? `: expected ${showValue(f.expected)}, live ${showValue(f.live)}` : '';
  return `${f.path}${values}${f.acceptance ? `; ${describeAcceptance(f.acceptance)}` : ''}`;
}

/** Each line of drift for one object: field changes, Secret keys (names only), accepted fields, or why it is missing. */
function detailLines(o: ObjectDrift): string[] {
  const lines = o.fields.map(fieldLine);
  if (o.secretData) {
    const { changed, added, removed, acceptanceExpired = [] } = o.secretData;
    const parts = [changed.length ? `changed keys ${changed.join(', ')}` : '', added.length ? `keys added ${added.join(', ')}` : '', removed.length ? `keys removed ${removed.join(', ')}` : ''];
    lines.push(`data changed: ${parts.filter(Boolean).join('; ')} (values not shown)`);
    for (const { key, acceptance } of acceptanceExpired) lines.push(`data key ${key}: ${describeAcceptance(acceptance)}`);
  }
  for (const f of o.accepted ?? []) lines.push(fieldLine(f));
  if (o.reason) lines.push(o.reason);
  return lines;
}

function releaseLine(r: NonNullable<StackDriftResult['releases']>[number]): string {
  if (r.revision.live === null) return `Helm release ${r.namespace}/${r.name} (${r.source}): no release record in the cluster (state: revision ${r.revision.state}, ${r.status.state})`;
  const revision = r.revision.live === r.revision.state ? `revision ${r.revision.state}` : `revision expected ${r.revision.state}, live ${r.revision.live}`;
  const status = r.status.live === r.status.state ? `status ${r.status.state}` : `status expected ${r.status.state}, live ${r.status.live}`;
  return `Helm release ${r.namespace}/${r.name} (${r.source}): ${revision}; ${status}`;
}

/** The report for people: a summary table for several stacks, then per stack what drifted. */
export function humanReport(report: DriftReport): string {
  const out: string[] = [];
  if (report.stacks.length > 1) {
    out.push(`foundation drift (ENV ${report.env}): exit ${report.exitCode}`);
    out.push(formatTable(['STACK', 'RESULT', 'MANAGED', 'IN SYNC', 'CHANGED', 'ACCEPTED', 'MISSING', 'UNMANAGED', 'COVERAGE'], report.stacks.map(countRow)), '');
  }
  for (const s of report.stacks) {
    if (s.error) {
      out.push(`${s.stack}: failed: ${s.error.message}`, '');
      continue;
    }
    const c = s.counts!;
    const accepted = c.accepted ? ` (drift accepted on ${c.accepted} object${c.accepted === 1 ? '' : 's'})` : '';
    out.push(`${s.stack} (ENV ${report.env}, context ${s.context}, state ${s.state}): ${s.status === 'drifted' ? 'drift found' : `in sync${accepted}`}`);
    out.push(`  managed ${c.managed}, in sync ${c.inSync}, changed ${c.changed}, ${c.accepted ? `accepted ${c.accepted}, ` : ''}missing ${c.missing}, unmanaged ${c.unmanaged}, coverage ${percent(c.coverage)} of ${c.live} live objects`);
    for (const r of s.releases ?? []) if (r.drifted) out.push(`  ${releaseLine(r)}`);
    for (const o of s.objects ?? []) {
      out.push(`  ${o.state.padEnd(9)} ${o.apiVersion} ${describe(o)}${o.source ? ` (${o.source})` : ''}`);
      for (const line of detailLines(o)) out.push(`      ${line}`);
    }
    if (s.notCompared?.length) out.push(`  not compared (they patch objects they do not own): ${s.notCompared.join(', ')}`);
    out.push('');
  }
  return out.join('\n');
}

function countRow(s: StackDriftReport): string[] {
  const c = s.counts;
  return [s.stack, s.status, ...(c ? [c.managed, c.inSync, c.changed, c.accepted, c.missing, c.unmanaged].map(String) : ['-', '-', '-', '-', '-', '-']), percent(c?.coverage)];
}

/** The report as markdown, for a CI job summary or a merge request note. */
export function markdownReport(report: DriftReport): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [
    `### foundation drift (ENV ${report.env}): ${report.stacks.some((s) => s.status === 'failed') ? 'error' : report.stacks.some((s) => s.status === 'drifted') ? 'drift found' : 'in sync'}`,
    '',
    '| stack | result | managed | in sync | changed | accepted | missing | unmanaged | coverage |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.stacks.map((s) => `| ${countRow(s).map(cell).join(' | ')} |`),
    '',
  ];
  for (const s of report.stacks) {
    if (s.error) {
      lines.push(`#### ${s.stack}: error`, '', `\`${cell(s.error.message)}\``, '');
      continue;
    }
    const drifted = [...(s.releases ?? []).filter((r) => r.drifted).map((r) => ['release', `Helm release ${r.namespace}/${r.name}`, releaseLine(r).split(': ').slice(1).join(': ')]), ...(s.objects ?? []).flatMap((o) => {
      const details = detailLines(o);
      return (details.length ? details : ['']).map((d) => [o.state, `${o.apiVersion} ${describe(o)}`, d]);
    })];
    if (drifted.length === 0) continue;
    lines.push(`#### ${s.stack}`, '', '| drift | object | detail |', '| --- | --- | --- |', ...drifted.map((row) => `| ${row.map((c) => cell(c ? `${c}` : '')).join(' | ')} |`), '');
  }
  return `${lines.join('\n')}\n`;
}

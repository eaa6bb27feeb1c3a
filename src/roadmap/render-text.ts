import { formatTable } from '../ui/output.js';
import type { PhaseReport, RoadmapReport } from './model.js';

/** Open issues listed per phase in the terminal; --json and --markdown list them all. */
const ISSUES_SHOWN = 10;

export function dueText(p: PhaseReport): string {
  if (!p.dueDate) return '-';
  return p.overdue ? `${p.dueDate} (overdue)` : p.dueDate;
}

export function blockedText(p: PhaseReport): string {
  return p.blockedBy.map((b) => `Phase ${b.phase} (${b.state})`).join(', ');
}

export function criticalPathText(report: RoadmapReport, name: (phase: number) => string = (n) => `Phase ${n}`): string {
  const parts = report.criticalPath.steps.map((s) => `${name(s.phase)} (${s.state === 'done' ? 'done' : `${s.state}, ${s.openIssues} open`})${s.via ? ` -> ${s.via}` : ''}`);
  return [...parts, report.criticalPath.exitProof].join(' -> ');
}

export function completeText(report: RoadmapReport): string {
  if (report.complete) return 'complete: the exit proof is closed and the live check passes';
  const why = [
    report.exitProof.state === 'closed' ? undefined : `exit proof ${report.exitProof.issue} is ${report.exitProof.state === 'missing' ? 'missing' : 'open'}`,
    report.exitProof.liveCheck.passed ? undefined : 'the live check fails',
  ].filter(Boolean);
  return `not complete: ${why.join(' and ')}`;
}

export function liveCheckText(report: RoadmapReport): string {
  const c = report.exitProof.liveCheck;
  return `Deployment ${c.namespace}/${c.deployment} in context ${c.context}: ${c.passed ? 'passes' : 'fails'} (${c.detail})`;
}

export function renderText(report: RoadmapReport): string {
  const out: string[] = [];
  out.push(`Foundation roadmap: group ${report.gitlab.group} on ${report.gitlab.url}, ${report.today}`);
  out.push('');
  out.push(
    formatTable(
      ['PHASE', 'STATE', 'CLOSED', '%', 'DUE', 'BLOCKED BY'],
      report.phases.map((p) => [`${p.number} ${p.title}${p.milestone.found ? '' : ' (no milestone)'}`, p.state, `${p.closed}/${p.total}`, String(p.percent), dueText(p), blockedText(p) || '-']),
    ),
  );
  const notes = report.phases.flatMap((p) => [
    ...(p.flag ? [`! Phase ${p.number}: ${p.flag}`] : []),
    ...p.partialDependencies.filter((d) => d.waiting).map((d) => `  Phase ${p.number}: ${d.issue} waits for Phase ${d.phase}${d.reason ? ` (${d.reason})` : ''}`),
  ]);
  if (notes.length) out.push('', ...notes);
  out.push('', `Critical path to the exit proof (${report.criticalPath.openIssues} open issues):`, `  ${criticalPathText(report)}`);
  const withOpen = report.phases.filter((p) => p.openIssues.length > 0);
  if (withOpen.length) {
    out.push('', 'Open issues:');
    for (const p of withOpen) {
      out.push(`  Phase ${p.number}: ${p.title}${p.onCriticalPath ? ' (critical path)' : ''}`);
      const rows = p.openIssues.slice(0, ISSUES_SHOWN).map((i) => [`    ${i.reference}`, i.title, i.assignees.length ? i.assignees.map((a) => `@${a}`).join(' ') : '']);
      out.push(formatTable(['', '', ''], rows).split('\n').slice(1).join('\n'));
      if (p.openIssues.length > ISSUES_SHOWN) out.push(`    ... and ${p.openIssues.length - ISSUES_SHOWN} more (--json lists them all)`);
    }
  }
  const exit = report.exitProof;
  out.push('');
  out.push(`Exit proof: ${exit.issue} ${exit.state}${exit.title ? `: ${exit.title}` : ''}`);
  out.push(`Live check: ${liveCheckText(report)}`);
  out.push(`Foundation: ${completeText(report)}`);
  return out.join('\n');
}

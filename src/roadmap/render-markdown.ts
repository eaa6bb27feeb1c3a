import type { RoadmapReport } from './model.js';
import { renderMermaid } from './render-mermaid.js';
import { blockedText, completeText, criticalPathText, dueText, liveCheckText } from './render-text.js';

/** Text in a table cell or link label: pipes and brackets would end it early. */
function md(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\[/g, '\\[').replace(/\]/g, '\\]').replace(/</g, '&lt;');
}

const link = (text: string, url: string | null) => (url ? `[${md(text)}](${url})` : md(text));

/** A page for the group's docs site: status, phases, critical path, open issues, graph, warnings. */
export function renderMarkdown(report: RoadmapReport): string {
  const out: string[] = ['# Foundation roadmap', ''];
  out.push(`Generated ${report.today} from the group milestones of \`${report.gitlab.group}\` on ${report.gitlab.url}.`, '');
  const exit = report.exitProof;
  out.push(`**Foundation is ${completeText(report)}.** Exit proof: ${link(exit.issue, exit.webUrl)} (${exit.state}); live check: ${md(liveCheckText(report))}.`, '');
  out.push('## Phases', '', '| Phase | State | Closed | Progress | Due | Blocked by |', '| --- | --- | --- | --- | --- | --- |');
  for (const p of report.phases) {
    const name = `Phase ${p.number}: ${p.title}`;
    out.push(`| ${link(name, p.milestone.webUrl)}${p.milestone.found ? '' : ' (no milestone)'} | ${p.state} | ${p.closed}/${p.total} | ${p.percent}% | ${dueText(p)} | ${md(blockedText(p))} |`);
  }
  const notes = report.phases.flatMap((p) => [
    ...(p.flag ? [`- **Phase ${p.number}**: ${md(p.flag)}`] : []),
    ...p.partialDependencies.map((d) => `- Phase ${p.number}: ${md(d.issue)} depends on Phase ${d.phase}${d.reason ? ` (${md(d.reason)})` : ''}: ${d.issueState === 'closed' ? 'done' : d.waiting ? 'waiting' : d.issueState === 'missing' ? 'issue missing' : 'ready'}`),
  ]);
  if (notes.length) out.push('', ...notes);
  out.push('', '## Critical path to the exit proof', '', `${md(criticalPathText(report, (n) => `Phase ${n}`))}: ${report.criticalPath.openIssues} open issues.`);
  const withOpen = report.phases.filter((p) => p.openIssues.length > 0);
  if (withOpen.length) {
    out.push('', '## Open issues');
    for (const p of withOpen) {
      out.push('', `### Phase ${p.number}: ${md(p.title)}${p.onCriticalPath ? ' (critical path)' : ''}`, '');
      for (const i of p.openIssues) out.push(`- ${link(i.reference, i.webUrl)} ${md(i.title)}${i.assignees.length ? ` (${i.assignees.map((a) => `@${a}`).join(', ')})` : ''}`);
    }
  }
  out.push('', '## Dependency graph', '', '```mermaid', renderMermaid(report), '```');
  if (report.warnings.length) {
    out.push('', '## Warnings', '');
    for (const w of report.warnings) out.push(`- ${md(w.message)}`);
  }
  return out.join('\n');
}

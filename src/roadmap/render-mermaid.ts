import type { PhaseState, RoadmapReport } from './model.js';

const CLASS: Record<PhaseState, string> = { done: 'done', 'in progress': 'inProgress', 'not started': 'notStarted', blocked: 'blocked' };

/** Mermaid label text inside double quotes: quotes and angle brackets as entities. */
function label(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/**
 * A Mermaid flowchart of the phases: one box per phase with its progress, solid arrows for
 * dependencies (thick on the critical path), dotted ones for partial dependencies.
 */
export function renderMermaid(report: RoadmapReport): string {
  const lines = ['flowchart TD'];
  for (const p of report.phases) {
    const progress = `${p.state}, ${p.closed}/${p.total} closed (${p.percent}%)${p.overdue ? `, overdue since ${p.dueDate}` : p.dueDate ? `, due ${p.dueDate}` : ''}`;
    lines.push(`  P${p.number}["${label(`Phase ${p.number}: ${p.title}`)}<br/>${label(progress)}"]`);
  }
  const exit = report.exitProof;
  const live = exit.liveCheck.passed ? 'live check passed' : 'live check failing';
  lines.push(`  EXIT{{"${label(`Exit proof ${exit.issue}`)}<br/>${label(`${exit.state}, ${live}`)}"}}`);
  const steps = report.criticalPath.steps;
  const onPath = (from: number, to: number) => steps.some((s, i) => s.phase === from && steps[i + 1]?.phase === to);
  for (const p of report.phases) {
    for (const dep of p.dependsOn) lines.push(`  P${dep} ${onPath(dep, p.number) ? '==>' : '-->'} P${p.number}`);
    for (const partial of p.partialDependencies) lines.push(`  P${partial.phase} -. "${label(`${partial.issue} only`)}" .-> P${p.number}`);
  }
  lines.push(`  P${exit.phase} ==> EXIT`);
  lines.push(
    '  classDef done fill:#d4edda,stroke:#2e7d32',
    '  classDef inProgress fill:#fff3cd,stroke:#b8860b',
    '  classDef notStarted fill:#f1f3f5,stroke:#6c757d',
    '  classDef blocked fill:#f8d7da,stroke:#c62828',
    `  classDef exit fill:${report.complete ? '#d4edda' : '#ffffff'},stroke:#343a40`,
  );
  for (const state of Object.keys(CLASS) as PhaseState[]) {
    const members = report.phases.filter((p) => p.state === state).map((p) => `P${p.number}`);
    if (members.length) lines.push(`  class ${members.join(',')} ${CLASS[state]}`);
  }
  lines.push('  class EXIT exit');
  return lines.join('\n');
}

import { loadProject } from '../config/load.js';
import { PROJECT_FILE } from '../config/project.js';
import { ISSUE_REFERENCE, type RoadmapConfig } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';

export type { RoadmapConfig };
export type PhaseConfig = RoadmapConfig['phases'][number];

/** `roadmap:` of foundation.yaml, with the checks a schema cannot make: known phases, no cycles. */
export function loadRoadmapConfig(start = process.cwd()): RoadmapConfig {
  const roadmap = loadProject(start).config.roadmap;
  if (!roadmap) {
    throw new FoundationError(`${PROJECT_FILE} has no roadmap section`, 'add "roadmap:" with the GitLab group, the phases and the exit proof (docs/roadmap.md)');
  }
  checkRoadmap(roadmap);
  return roadmap;
}

export function checkRoadmap(roadmap: RoadmapConfig): void {
  const fail = (field: string, message: string) => {
    throw new FoundationError(`${PROJECT_FILE}: field "roadmap.${field}": ${message}`, `fix ${PROJECT_FILE}; docs/roadmap.md lists every field`);
  };
  const numbers = roadmap.phases.map((p) => p.number);
  const known = (n: number) => numbers.includes(n);
  roadmap.phases.forEach((phase, i) => {
    if (numbers.indexOf(phase.number) !== i) fail(`phases.${i}.number`, `phase ${phase.number} is listed twice`);
    if (roadmap.phases.findIndex((p) => p.milestone === phase.milestone) !== i) fail(`phases.${i}.milestone`, `milestone "${phase.milestone}" holds another phase already`);
    phase.dependsOn.forEach((dep, j) => {
      if (!known(dep)) fail(`phases.${i}.dependsOn.${j}`, `unknown phase ${dep}`);
      if (dep === phase.number) fail(`phases.${i}.dependsOn.${j}`, 'a phase cannot depend on itself');
    });
    phase.partialDependencies.forEach((partial, j) => {
      if (!known(partial.phase)) fail(`phases.${i}.partialDependencies.${j}.phase`, `unknown phase ${partial.phase}`);
      if (partial.phase === phase.number) fail(`phases.${i}.partialDependencies.${j}.phase`, 'a phase cannot depend on itself');
    });
  });
  if (roadmap.exitProof.phase !== undefined && !known(roadmap.exitProof.phase)) fail('exitProof.phase', `unknown phase ${roadmap.exitProof.phase}`);
  try {
    new RegExp(roadmap.phasePattern, 'i');
  } catch {
    fail('phasePattern', 'is not a valid regular expression');
  }
  const cycle = findCycle(roadmap.phases);
  if (cycle) fail('phases', `the dependencies form a cycle: ${cycle.map((n) => `Phase ${n}`).join(' -> ')}`);
}

/** Every edge a phase waits on: its dependencies and the phases of its partial dependencies. */
function predecessors(phase: PhaseConfig): number[] {
  return [...new Set([...phase.dependsOn, ...phase.partialDependencies.map((p) => p.phase)])];
}

function findCycle(phases: PhaseConfig[]): number[] | undefined {
  const byNumber = new Map(phases.map((p) => [p.number, p]));
  const state = new Map<number, 'visiting' | 'done'>();
  const stack: number[] = [];
  const visit = (n: number): number[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const dep of predecessors(byNumber.get(n)!)) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const phase of phases) {
    const cycle = visit(phase.number);
    if (cycle) return cycle;
  }
  return undefined;
}

/** "mson/runners#5" -> project path and iid. */
export function parseIssueReference(reference: string): { project: string; iid: number } {
  const match = ISSUE_REFERENCE.exec(reference);
  if (!match) throw new FoundationError(`"${reference}" is not an issue reference`, 'write it as group/project#iid, e.g. mson/runners#5');
  return { project: match[1]!, iid: Number(match[2]) };
}

/** The phase that delivers the exit proof: the configured one, else the highest number. */
export function exitPhase(roadmap: RoadmapConfig): number {
  return roadmap.exitProof.phase ?? Math.max(...roadmap.phases.map((p) => p.number));
}

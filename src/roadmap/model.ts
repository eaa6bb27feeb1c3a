// The roadmap report: foundation.yaml's phases and dependencies joined with GitLab's
// milestones and issues and the exit proof's live check. Pure: everything it needs is
// passed in, so `--offline` can print the same report from a saved --json.
import { exitPhase, type PhaseConfig, type RoadmapConfig } from './config.js';

export interface IssueInfo {
  /** mson/runners#5 */
  reference: string;
  title: string;
  state: 'opened' | 'closed';
  webUrl: string;
  assignees: string[];
}

export interface MilestoneInfo {
  id: number;
  iid: number;
  title: string;
  state: 'active' | 'closed';
  dueDate: string | null;
  startDate: string | null;
  webUrl: string;
}

/** What GitLab holds: the group's milestones, the phase milestones' issues, the issues the roadmap names (null: missing). */
export interface GitLabView {
  url: string;
  group: string;
  milestones: MilestoneInfo[];
  /** Issues by milestone id. */
  issues: Record<string, IssueInfo[]>;
  referenced: Record<string, IssueInfo | null>;
}

export interface LiveCheckResult {
  context: string;
  namespace: string;
  deployment: string;
  passed: boolean;
  /** Why, in one line: "Deployment ns/name: 2/2 replicas available", "… does not exist", the API's error. */
  detail: string;
}

export type PhaseState = 'done' | 'in progress' | 'not started' | 'blocked';

export interface PhaseReport {
  number: number;
  title: string;
  milestone: { title: string; found: boolean; state: 'active' | 'closed' | null; webUrl: string | null };
  state: PhaseState;
  closed: number;
  total: number;
  percent: number;
  dueDate: string | null;
  overdue: boolean;
  dependsOn: number[];
  /** Full dependencies that are not done. */
  blockedBy: Array<{ phase: number; title: string; state: PhaseState }>;
  partialDependencies: Array<{ issue: string; phase: number; reason: string | null; issueState: 'opened' | 'closed' | 'missing'; waiting: boolean }>;
  /** The phase milestone's open issues: a group milestone holds only the cross-project critical path. */
  openIssues: IssueInfo[];
  onCriticalPath: boolean;
  /** Work under way while a dependency is unfinished. */
  flag: string | null;
}

export interface RoadmapWarning {
  kind: 'milestone-missing' | 'milestone-closed-with-open-issues' | 'unlisted-phase-milestone' | 'partial-dependency-missing' | 'partial-dependency-outside-milestone' | 'exit-proof-missing';
  message: string;
}

export interface RoadmapReport {
  schemaVersion: 1;
  generatedAt: string;
  /** The day overdue is judged against (UTC). */
  today: string;
  gitlab: { url: string; group: string };
  phases: PhaseReport[];
  criticalPath: {
    /** From the first phase to the exit phase; `via`: the partial dependency's issue that links a step to the next. */
    steps: Array<{ phase: number; title: string; state: PhaseState; openIssues: number; via: string | null }>;
    openIssues: number;
    exitProof: string;
  };
  exitProof: {
    issue: string;
    phase: number;
    state: 'opened' | 'closed' | 'missing';
    title: string | null;
    webUrl: string | null;
    liveCheck: LiveCheckResult;
  };
  complete: boolean;
  warnings: RoadmapWarning[];
}

export function buildRoadmap(roadmap: RoadmapConfig, gitlab: GitLabView, liveCheck: LiveCheckResult, now: Date): RoadmapReport {
  const today = now.toISOString().slice(0, 10);
  const warnings: RoadmapWarning[] = [];
  const byTitle = new Map(gitlab.milestones.map((m) => [m.title, m]));
  const issueState = (reference: string): 'opened' | 'closed' | 'missing' => {
    const issue = gitlab.referenced[reference];
    return issue === undefined || issue === null ? 'missing' : issue.state;
  };

  // progress first: states depend on the dependencies' progress
  const progress = new Map(
    roadmap.phases.map((phase) => {
      const milestone = byTitle.get(phase.milestone);
      const issues = milestone ? (gitlab.issues[String(milestone.id)] ?? []) : [];
      const closed = issues.filter((i) => i.state === 'closed').length;
      const open = issues.filter((i) => i.state !== 'closed');
      const done = Boolean(milestone) && open.length === 0 && (issues.length > 0 || milestone!.state === 'closed');
      return [phase.number, { phase, milestone, issues, closed, open, done }];
    }),
  );
  const done = (n: number) => progress.get(n)!.done;

  const states = new Map<number, PhaseState>();
  for (const { phase, closed, done: isDone } of progress.values()) {
    states.set(phase.number, isDone ? 'done' : phase.dependsOn.some((d) => !done(d)) ? 'blocked' : closed > 0 ? 'in progress' : 'not started');
  }

  const path = criticalPath(roadmap, (n) => progress.get(n)!.open.length, done, issueState);
  const onPath = new Set(path.map((s) => s.phase));

  const phases = roadmap.phases.map((phase): PhaseReport => {
    const { milestone, issues, closed, open } = progress.get(phase.number)!;
    const state = states.get(phase.number)!;
    const blockedBy = phase.dependsOn.filter((d) => !done(d)).map((d) => ({ phase: d, title: progress.get(d)!.phase.title, state: states.get(d)! }));
    const partialDependencies = phase.partialDependencies.map((partial) => {
      const issueStateNow = issueState(partial.issue);
      return { issue: partial.issue, phase: partial.phase, reason: partial.reason ?? null, issueState: issueStateNow, waiting: issueStateNow === 'opened' && !done(partial.phase) };
    });
    const name = `Phase ${phase.number}: ${phase.title}`;
    if (!milestone) warnings.push({ kind: 'milestone-missing', message: `${name}: milestone "${phase.milestone}" does not exist in group ${gitlab.group}` });
    else if (milestone.state === 'closed' && open.length > 0) {
      warnings.push({ kind: 'milestone-closed-with-open-issues', message: `${name}: milestone "${phase.milestone}" is closed but ${open.length} of its issues ${open.length === 1 ? 'is' : 'are'} open` });
    }
    for (const partial of partialDependencies) {
      if (partial.issueState === 'missing') {
        warnings.push({ kind: 'partial-dependency-missing', message: `${name}: partial dependency ${partial.issue} does not exist (or the token cannot see it)` });
      } else if (milestone && !issues.some((i) => i.reference === partial.issue)) {
        warnings.push({ kind: 'partial-dependency-outside-milestone', message: `${name}: partial dependency ${partial.issue} is not in milestone "${phase.milestone}"` });
      }
    }
    const underWay = closed > 0 || open.some((i) => i.assignees.length > 0);
    const flag = state === 'blocked' && underWay
      ? `work under way (${closed} of ${issues.length} closed${open.some((i) => i.assignees.length > 0) ? ', open issues assigned' : ''}) while ${blockedBy.map((b) => `Phase ${b.phase}`).join(', ')} ${blockedBy.length > 1 ? 'are' : 'is'} unfinished`
      : null;
    const dueDate = milestone?.dueDate ?? null;
    return {
      number: phase.number,
      title: phase.title,
      milestone: { title: phase.milestone, found: Boolean(milestone), state: milestone?.state ?? null, webUrl: milestone?.webUrl ?? null },
      state,
      closed,
      total: issues.length,
      // floor: 99.6% is not done
      percent: issues.length ? Math.floor((closed / issues.length) * 100) : state === 'done' ? 100 : 0,
      dueDate,
      overdue: dueDate !== null && state !== 'done' && dueDate < today,
      dependsOn: phase.dependsOn,
      blockedBy,
      partialDependencies,
      openIssues: open,
      onCriticalPath: onPath.has(phase.number),
      flag,
    };
  });

  const pattern = new RegExp(roadmap.phasePattern, 'i');
  const listed = new Set(roadmap.phases.map((p) => p.milestone));
  for (const m of gitlab.milestones) {
    if (!listed.has(m.title) && pattern.test(m.title)) {
      warnings.push({ kind: 'unlisted-phase-milestone', message: `group milestone "${m.title}" (${m.state}) looks like a phase but is not in foundation.yaml roadmap.phases` });
    }
  }

  const exitIssue = gitlab.referenced[roadmap.exitProof.issue] ?? null;
  if (!exitIssue) warnings.push({ kind: 'exit-proof-missing', message: `exit proof ${roadmap.exitProof.issue} does not exist (or the token cannot see it)` });

  return {
    schemaVersion: 1,
    generatedAt: now.toISOString(),
    today,
    gitlab: { url: gitlab.url, group: gitlab.group },
    phases,
    criticalPath: {
      steps: path.map((s) => ({ ...s, state: states.get(s.phase)!, title: progress.get(s.phase)!.phase.title })),
      openIssues: path.reduce((sum, s) => sum + s.openIssues, 0),
      exitProof: roadmap.exitProof.issue,
    },
    exitProof: {
      issue: roadmap.exitProof.issue,
      phase: exitPhase(roadmap),
      state: exitIssue?.state ?? 'missing',
      title: exitIssue?.title ?? null,
      webUrl: exitIssue?.webUrl ?? null,
      liveCheck,
    },
    complete: exitIssue?.state === 'closed' && liveCheck.passed,
    warnings,
  };
}

/**
 * The chain of phases to the exit phase with the most open issues left: the longest path
 * through the dependencies, each phase weighted by its open issues. A partial dependency
 * counts while its issue is open (the phase cannot finish before it).
 */
export function criticalPath(
  roadmap: RoadmapConfig,
  openIssues: (phase: number) => number,
  done: (phase: number) => boolean,
  issueState: (reference: string) => string,
): Array<{ phase: number; openIssues: number; via: string | null }> {
  const byNumber = new Map(roadmap.phases.map((p) => [p.number, p]));
  const edges = (phase: PhaseConfig) => [
    ...phase.dependsOn.map((d) => ({ from: d, via: null as string | null })),
    ...phase.partialDependencies.filter((p) => issueState(p.issue) !== 'closed').map((p) => ({ from: p.phase, via: p.issue })),
  ];
  const memo = new Map<number, { weight: number; from?: { phase: number; via: string | null } }>();
  const best = (n: number): number => {
    const known = memo.get(n);
    if (known) return known.weight;
    let chosen: { phase: number; via: string | null } | undefined;
    let chosenWeight = -1;
    // ties: an unfinished phase before a done one, then the lower number
    const candidates = edges(byNumber.get(n)!).sort((a, b) => Number(done(a.from)) - Number(done(b.from)) || a.from - b.from);
    for (const edge of candidates) {
      const weight = best(edge.from);
      if (weight > chosenWeight) {
        chosenWeight = weight;
        chosen = { phase: edge.from, via: edge.via };
      }
    }
    const entry = { weight: openIssues(n) + Math.max(chosenWeight, 0), from: chosen };
    memo.set(n, entry);
    return entry.weight;
  };
  const end = exitPhase(roadmap);
  best(end);
  const steps: Array<{ phase: number; openIssues: number; via: string | null }> = [];
  let via: string | null = null;
  for (let n: number | undefined = end; n !== undefined; ) {
    steps.unshift({ phase: n, openIssues: openIssues(n), via });
    const from: { phase: number; via: string | null } | undefined = memo.get(n)?.from;
    via = from?.via ?? null;
    n = from?.phase;
  }
  return steps;
}

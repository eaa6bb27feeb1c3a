import { describe, expect, it } from 'vitest';
import type { RoadmapConfig } from '../../src/config/schema.js';
import { checkRoadmap } from '../../src/roadmap/config.js';
import { retryAfterMs } from '../../src/util/http-retry.js';
import { availabilityOf } from '../../src/kube/deployment-available.js';
import { buildRoadmap, type GitLabView, type IssueInfo, type LiveCheckResult } from '../../src/roadmap/model.js';

const LIVE: LiveCheckResult = { context: 'lab', namespace: 'app', deployment: 'app', passed: true, detail: 'available' };
const NOW = new Date('2026-11-23T12:00:00Z');

function config(phases: Array<Partial<RoadmapConfig['phases'][number]> & { number: number }>, exitPhase?: number): RoadmapConfig {
  return {
    gitlab: { group: 'g' },
    phasePattern: '^phase\\s*\\d+',
    phases: phases.map((p) => ({ title: `P${p.number}`, milestone: `Phase ${p.number}`, dependsOn: [], partialDependencies: [], ...p })),
    exitProof: { issue: 'g/app#1', phase: exitPhase, liveCheck: { context: 'lab', namespace: 'app', deployment: 'app' } },
  };
}

const issue = (reference: string, state: 'opened' | 'closed', assignees: string[] = []): IssueInfo => ({ reference, title: reference, state, webUrl: `https://x/${reference}`, assignees });

/** Milestone n holds `open` open and `closed` closed issues. */
function view(milestones: Array<{ n: number; open: number; closed: number; state?: 'active' | 'closed'; due?: string }>, referenced: GitLabView['referenced'] = { 'g/app#1': issue('g/app#1', 'opened') }): GitLabView {
  return {
    url: 'https://x',
    group: 'g',
    milestones: milestones.map((m) => ({ id: 100 + m.n, iid: m.n, title: `Phase ${m.n}`, state: m.state ?? 'active', dueDate: m.due ?? null, startDate: null, webUrl: `https://x/m/${m.n}` })),
    issues: Object.fromEntries(
      milestones.map((m) => [String(100 + m.n), [...Array.from({ length: m.closed }, (_, i) => issue(`g/p${m.n}#${i + 1}`, 'closed')), ...Array.from({ length: m.open }, (_, i) => issue(`g/p${m.n}#${m.closed + i + 1}`, 'opened'))]]),
    ),
    referenced,
  };
}

describe('roadmap phase states', () => {
  it('done needs a milestone with no open issue, and some issue or a closed milestone', () => {
    const report = buildRoadmap(
      config([{ number: 0 }, { number: 1 }, { number: 2 }, { number: 3 }]),
      view([{ n: 0, open: 0, closed: 2 }, { n: 1, open: 0, closed: 0, state: 'closed' }, { n: 2, open: 0, closed: 0 }]),
      LIVE,
      NOW,
    );
    expect(report.phases.map((p) => [p.state, p.percent])).toEqual([
      ['done', 100],
      ['done', 100],
      ['not started', 0],
      ['not started', 0],
    ]);
    expect(report.phases[3]!.milestone.found).toBe(false);
  });

  it('percent rounds down: 199 of 200 is 99, not 100', () => {
    const report = buildRoadmap(config([{ number: 0 }]), view([{ n: 0, open: 1, closed: 199 }]), LIVE, NOW);
    expect(report.phases[0]).toMatchObject({ state: 'in progress', percent: 99, closed: 199, total: 200 });
  });

  it('overdue: due before today and not done; due today is not overdue', () => {
    const report = buildRoadmap(
      config([{ number: 0 }, { number: 1 }, { number: 2 }]),
      view([{ n: 0, open: 1, closed: 0, due: '2026-11-22' }, { n: 1, open: 1, closed: 0, due: '2026-11-23' }, { n: 2, open: 0, closed: 1, due: '2026-01-01' }]),
      LIVE,
      NOW,
    );
    expect(report.phases.map((p) => p.overdue)).toEqual([true, false, false]);
  });

  it('blocked by any unfinished dependency; flagged when work is under way anyway (closed or assigned issues)', () => {
    const v = view([{ n: 0, open: 1, closed: 0 }, { n: 1, open: 2, closed: 0 }, { n: 2, open: 1, closed: 1 }]);
    v.issues['101']![0] = issue('g/p1#1', 'opened', ['alice']);
    const report = buildRoadmap(config([{ number: 0 }, { number: 1, dependsOn: [0] }, { number: 2, dependsOn: [0, 1] }]), v, LIVE, NOW);
    expect(report.phases.map((p) => p.state)).toEqual(['not started', 'blocked', 'blocked']);
    expect(report.phases[1]!.flag).toBe('work under way (0 of 2 closed, open issues assigned) while Phase 0 is unfinished');
    expect(report.phases[2]!.flag).toBe('work under way (1 of 2 closed) while Phase 0, Phase 1 are unfinished');
    expect(report.phases[0]!.flag).toBeNull();
  });
});

describe('the critical path', () => {
  it('follows the dependency chain with the most open issues to the exit phase', () => {
    const report = buildRoadmap(
      config([{ number: 0 }, { number: 1, dependsOn: [0] }, { number: 2, dependsOn: [0] }, { number: 3, dependsOn: [1, 2] }]),
      view([{ n: 0, open: 1, closed: 0 }, { n: 1, open: 2, closed: 0 }, { n: 2, open: 5, closed: 0 }, { n: 3, open: 1, closed: 0 }]),
      LIVE,
      NOW,
    );
    expect(report.criticalPath.steps.map((s) => s.phase)).toEqual([0, 2, 3]);
    expect(report.criticalPath.openIssues).toBe(7);
    expect(report.phases.map((p) => p.onCriticalPath)).toEqual([true, false, true, true]);
  });

  it('counts a partial dependency while its issue is open, and drops it once closed', () => {
    const phases = config([{ number: 0 }, { number: 1, dependsOn: [0] }, { number: 4, dependsOn: [0], partialDependencies: [{ issue: 'g/r#5', phase: 1 }] }, { number: 5, dependsOn: [4] }]);
    const open = buildRoadmap(phases, view([{ n: 0, open: 0, closed: 1 }, { n: 1, open: 3, closed: 0 }, { n: 4, open: 1, closed: 0 }, { n: 5, open: 1, closed: 0 }], { 'g/r#5': issue('g/r#5', 'opened'), 'g/app#1': issue('g/app#1', 'opened') }), LIVE, NOW);
    expect(open.criticalPath.steps.map((s) => [s.phase, s.via])).toEqual([[0, null], [1, 'g/r#5'], [4, null], [5, null]]);
    expect(open.phases[2]).toMatchObject({ state: 'not started', blockedBy: [], partialDependencies: [{ issue: 'g/r#5', phase: 1, issueState: 'opened', waiting: true }] });
    const closed = buildRoadmap(phases, view([{ n: 0, open: 0, closed: 1 }, { n: 1, open: 3, closed: 0 }, { n: 4, open: 1, closed: 0 }, { n: 5, open: 1, closed: 0 }], { 'g/r#5': issue('g/r#5', 'closed'), 'g/app#1': issue('g/app#1', 'opened') }), LIVE, NOW);
    expect(closed.criticalPath.steps.map((s) => s.phase)).toEqual([0, 4, 5]);
  });
});

describe('the exit proof', () => {
  const phases = config([{ number: 0 }]);
  const done = view([{ n: 0, open: 0, closed: 1 }], { 'g/app#1': issue('g/app#1', 'closed') });
  it('needs both halves', () => {
    expect(buildRoadmap(phases, done, LIVE, NOW).complete).toBe(true);
    expect(buildRoadmap(phases, done, { ...LIVE, passed: false }, NOW).complete).toBe(false);
    expect(buildRoadmap(phases, view([{ n: 0, open: 0, closed: 1 }]), LIVE, NOW).complete).toBe(false);
    expect(buildRoadmap(phases, view([{ n: 0, open: 0, closed: 1 }], {}), LIVE, NOW)).toMatchObject({ complete: false, exitProof: { state: 'missing' } });
  });
});

describe('roadmap config checks', () => {
  it('finds cycles through partial dependencies too', () => {
    expect(() => checkRoadmap(config([{ number: 0, partialDependencies: [{ issue: 'g/a#1', phase: 1 }] }, { number: 1, dependsOn: [0] }]))).toThrow('the dependencies form a cycle: Phase 0 -> Phase 1 -> Phase 0');
    expect(() => checkRoadmap(config([{ number: 0 }, { number: 1, dependsOn: [0] }]))).not.toThrow();
    expect(() => checkRoadmap(config([{ number: 0 }], 3))).toThrow('field "roadmap.exitProof.phase": unknown phase 3');
  });
});

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('7')).toBe(7000);
    expect(retryAfterMs('Mon, 23 Nov 2026 12:00:30 GMT', Date.parse('2026-11-23T12:00:00Z'))).toBe(30_000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('Deployment availability (the exit proof and cluster status)', () => {
  it('is condition Available=True on the observed generation', () => {
    const status = (available: string, observedGeneration = 2) => ({ metadata: { generation: 2 }, spec: { replicas: 3 }, status: { observedGeneration, availableReplicas: 3, conditions: [{ type: 'Available', status: available, reason: 'R' }] } });
    expect(availabilityOf(status('True'), 'ns', 'app')).toEqual({ available: true, detail: 'Deployment ns/app: 3/3 replicas available' });
    expect(availabilityOf(status('False'), 'ns', 'app')).toEqual({ available: false, detail: 'Deployment ns/app is not available (R; 3/3 replicas available)' });
    expect(availabilityOf(status('True', 1), 'ns', 'app')).toEqual({ available: false, detail: 'Deployment ns/app: the controller has not observed generation 2 yet' });
    expect(availabilityOf({}, 'ns', 'app')).toMatchObject({ available: false, detail: 'Deployment ns/app is not available (no Available condition; 0/1 replicas available)' });
  });
});

describe('the GitLab request handler', () => {
  it('sends a GET again when the server drops the connection, quietly, and gives up after the retries', async () => {
    const { createServer } = await import('node:http');
    const { retryingRequestHandler, GitLabUnreachableError } = await import('../../src/roadmap/gitlab-requester.js');
    let requests = 0;
    let drops = 1;
    const server = createServer((req, res) => {
      requests++;
      if (drops-- > 0) return req.socket.destroy();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('[{"id":1}]');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const notes: string[] = [];
    const handler = retryingRequestHandler({ retries: 2, baseDelayMs: 1, maxWaitMs: 10 }, (n) => notes.push(n));
    const prefixUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/v4/`;
    try {
      expect(await handler('groups/g/milestones', { prefixUrl, method: 'GET' })).toMatchObject({ status: 200, body: [{ id: 1 }] });
      expect(requests).toBe(2);
      expect(notes).toEqual([]);
      drops = 5;
      await expect(handler('groups/g/milestones', { prefixUrl, method: 'GET' })).rejects.toBeInstanceOf(GitLabUnreachableError);
      expect(requests).toBe(5);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

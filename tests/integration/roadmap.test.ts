import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorPage, rateLimited, serverError } from '../support/gitlab-api/server.js';
import { cleanUpRoadmapWorlds, GROUP, MILESTONES, roadmapWorld, TOKEN, type RoadmapWorld } from '../support/roadmap.js';

cleanUpRoadmapWorlds();

interface Phase {
  number: number;
  state: string;
  closed: number;
  total: number;
  percent: number;
  dueDate: string | null;
  overdue: boolean;
  blockedBy: Array<{ phase: number; state: string }>;
  partialDependencies: Array<{ issue: string; phase: number; issueState: string; waiting: boolean }>;
  openIssues: Array<{ reference: string }>;
  onCriticalPath: boolean;
  flag: string | null;
}

async function json(world: RoadmapWorld, env: Record<string, string | undefined> = {}) {
  const result = await world.run(['--json'], env);
  expect(result.exitCode, result.stderr).toBe(0);
  return { report: JSON.parse(result.stdout), stderr: result.stderr };
}

const issueRequests = (world: RoadmapWorld, milestoneId: number) => world.gitlab.requests.filter((r) => r.path === `/api/v4/groups/${GROUP}/milestones/${milestoneId}/issues`);

describe('foundation roadmap against GitLab group milestones', () => {
  it('reports each phase\'s state, counts, due dates and blockers; Phase 5 is blocked by Phase 4', async () => {
    const world = await roadmapWorld();
    world.deploy(true);
    const { report, stderr } = await json(world);
    const phases = report.phases as Phase[];
    expect(phases.map((p) => [p.number, p.state, p.closed, p.total, p.percent])).toEqual([
      [0, 'done', 4, 4, 100],
      [1, 'in progress', 55, 130, 42],
      [2, 'not started', 0, 3, 0],
      [3, 'not started', 0, 2, 0],
      [4, 'in progress', 3, 8, 37],
      [5, 'blocked', 1, 5, 20],
    ]);
    expect(phases[5]!.blockedBy).toEqual([{ phase: 4, title: 'Lab Kubernetes', state: 'in progress' }]);
    expect(phases.filter((p) => p.number !== 5).every((p) => p.blockedBy.length === 0)).toBe(true);
    // Phase 5 has a closed issue while Phase 4 is unfinished: flagged
    expect(phases[5]!.flag).toBe('work under way (1 of 5 closed) while Phase 4 is unfinished');
    expect(phases.filter((p) => p.flag).map((p) => p.number)).toEqual([5]);
    // due dates against FOUNDATION_ROADMAP_NOW (2026-11-23): Phase 2 is overdue, done Phase 0 is not
    expect(phases.map((p) => [p.dueDate, p.overdue])).toEqual([
      ['2026-09-30', false],
      ['2026-12-15', false],
      ['2026-10-31', true],
      [null, false],
      ['2027-02-01', false],
      ['2027-04-01', false],
    ]);
    // the partial dependency: only mson/runners#5 waits for Phase 1; Phase 4 itself is not blocked
    expect(phases[4]!.partialDependencies).toEqual([{ issue: 'mson/runners#5', phase: 1, reason: 'the runner-manager migration assumes the Phase 1 manager exists', issueState: 'opened', waiting: true }]);
    expect(phases[4]!.openIssues.map((i) => i.reference)).toContain('mson/runners#5');
    expect(phases[1]!.openIssues).toHaveLength(75);
    // critical path: through Phase 1 because runners#5 (in Phase 4) waits for it
    expect(report.criticalPath.steps.map((s: { phase: number; via: string | null }) => [s.phase, s.via])).toEqual([
      [0, null],
      [1, 'mson/runners#5'],
      [4, null],
      [5, null],
    ]);
    expect(report.criticalPath.openIssues).toBe(0 + 75 + 5 + 4);
    expect(report.criticalPath.exitProof).toBe('mson/eve-skill-farm#120');
    expect(phases.filter((p) => p.onCriticalPath).map((p) => p.number)).toEqual([0, 1, 4, 5]);
    expect(report.exitProof).toMatchObject({ issue: 'mson/eve-skill-farm#120', phase: 5, state: 'opened', title: 'Deploy eve-skill-farm to the lab cluster' });
    expect(report.complete).toBe(false);
    expect(report.warnings).toEqual([]);
    expect(stderr).toBe('');
    // Phase 1's 130 issues came in two pages of 100
    expect(issueRequests(world, world.milestones[1]!.id).map((r) => [r.query.get('page') ?? '1', r.query.get('per_page')])).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
  });

  it('closing Phase 4\'s last issue unblocks Phase 5 and takes Phase 1 off the critical path once runners#5 is closed', async () => {
    const world = await roadmapWorld();
    for (const issue of world.gitlab.data.issues.filter((i) => i.milestoneId === world.milestones[4]!.id)) issue.state = 'closed';
    const { report } = await json(world);
    const phases = report.phases as Phase[];
    expect(phases[4]!.state).toBe('done');
    expect(phases[5]!.state).toBe('in progress');
    expect(phases[5]!.blockedBy).toEqual([]);
    expect(phases[5]!.flag).toBeNull();
    expect(phases[4]!.partialDependencies[0]).toMatchObject({ issueState: 'closed', waiting: false });
    expect(report.criticalPath.steps.map((s: { phase: number }) => s.phase)).toEqual([0, 4, 5]);
  });

  it('counts a milestone with 250 issues fully, over three pages', async () => {
    const world = await roadmapWorld();
    const p3 = world.milestones[3]!;
    for (let i = 0; i < 248; i++) world.gitlab.data.addIssue('mson/docs', { milestone: p3, state: i % 4 === 0 ? 'closed' : 'opened' });
    const { report } = await json(world);
    const phase3 = (report.phases as Phase[])[3]!;
    expect(phase3.total).toBe(250);
    expect(phase3.closed).toBe(62);
    expect(phase3.openIssues).toHaveLength(188);
    expect(new Set(phase3.openIssues.map((i) => i.reference)).size).toBe(188);
    expect(issueRequests(world, p3.id).map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2', '3']);
  });

  it('retries a 429 after its Retry-After and a 502, once each, and reports the same', async () => {
    const world = await roadmapWorld();
    const { report: expected } = await json(world);
    const before = world.gitlab.requests.length;
    world.gitlab.failNext(/\/milestones$/, () => rateLimited(1));
    world.gitlab.failNext(/\/milestones\/\d+\/issues$/, () => serverError(502));
    const started = Date.now();
    const result = await world.run(['--json']);
    const elapsed = Date.now() - started;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).phases).toEqual(expected.phases);
    expect(result.stderr).toMatch(/gitlab: HTTP 429 for groups\/mson\/milestones; retry 1 of 4 in 1s \(Retry-After\)/);
    expect(result.stderr).toMatch(/gitlab: HTTP 502 for groups\/mson\/milestones\/\d+\/issues; retry 1 of 4 in (\d{3}ms|1s)/);
    // it waited as asked (Retry-After: 1)
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    // one retry per failure: gitbeaker's own retry loop is not stacked on top
    const during = world.gitlab.requests.slice(before);
    expect(during.filter((r) => r.path === `/api/v4/groups/${GROUP}/milestones`)).toHaveLength(2);
    expect(during.length).toBe(world.gitlab.requests.length - before);
    expect(during.filter((r) => /\/issues$/.test(r.path) && r.path.includes('/milestones/')).length).toBe(issueRequestsTotal(expected) + 1);
  });

  it('gives up after a bounded number of retries with one clear line', async () => {
    const world = await roadmapWorld();
    world.gitlab.failNext(/\/milestones$/, () => serverError(503), 10);
    const result = await world.run([]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`error: GitLab at ${world.gitlab.url} failed reading group mson: HTTP 503 (503 Service Unavailable) after 5 attempts`);
    expect(world.gitlab.requests.filter((r) => r.path.endsWith('/milestones'))).toHaveLength(5);
    expect(result.stdout).toBe('');
  });

  it("GitLab's HTML error page (503 from its nginx) is never printed: the status and at most the page's title", async () => {
    const world = await roadmapWorld();
    world.gitlab.failNext(/\/milestones$/, () => errorPage(503), 10);
    const result = await world.run([]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/[<>]/);
    expect(result.stderr.trim().split('\n').filter((line) => !line.startsWith('gitlab: HTTP 503 for groups/mson/milestones; retry '))).toEqual([
      `error: GitLab at ${world.gitlab.url} failed reading group mson: HTTP 503 Service Unavailable (GitLab is not responding (503)) after 5 attempts`,
      'hint: GitLab is having trouble; run again later',
    ]);
  });

  it('does not sleep through a Retry-After longer than a minute', async () => {
    const world = await roadmapWorld();
    world.gitlab.failNext(/\/milestones$/, () => rateLimited(3600));
    const result = await world.run([]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(`error: GitLab at ${world.gitlab.url} is rate limiting: HTTP 429 after 1 attempt (Retry-After 3600s)`);
    expect(result.stderr).toContain('hint: wait for the rate limit to reset and run again');
  });

  it('401, 403 and 404 fail with one error line and a hint, exit 1; the token is never printed', async () => {
    const world = await roadmapWorld();
    const outputs: string[] = [];
    const bad = await world.run([], { GITLAB_TOKEN: `${TOKEN}-revoked` });
    outputs.push(bad.stdout, bad.stderr);
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([
      `error: GitLab at ${world.gitlab.url} refused the token: HTTP 401 (401 Unauthorized)`,
      'hint: GITLAB_TOKEN is unknown, expired or revoked: set it to a valid token with the read_api scope',
    ]);
    expect(world.gitlab.requests.filter((r) => r.path.endsWith('/milestones'))).toHaveLength(1);

    const scoped = await roadmapWorld({ scopes: ['read_user'] });
    const forbidden = await scoped.run(['--json']);
    outputs.push(forbidden.stdout, forbidden.stderr);
    expect(forbidden.exitCode).toBe(1);
    expect(forbidden.stderr.trim().split('\n')).toEqual([
      `error: GitLab at ${scoped.gitlab.url} denied reading group mson: HTTP 403 (The request requires higher privileges than provided by the access token.)`,
      'hint: the token needs the read_api scope and access to the group',
    ]);

    // a trailing slash on GITLAB_URL is fine
    const slash = await world.run([], { GITLAB_URL: `${world.gitlab.url}/` });
    outputs.push(slash.stdout, slash.stderr);
    expect(slash.exitCode, slash.stderr).toBe(0);

    world.gitlab.data.groups.splice(0, 1);
    const notFound = await world.run(['--debug']);
    outputs.push(notFound.stdout, notFound.stderr);
    expect(notFound.exitCode).toBe(1);
    expect(notFound.stderr).toContain(`error: GitLab at ${world.gitlab.url} has no group mson, or the token cannot see it: HTTP 404 (404 Group Not Found)`);

    const ok = await world.run(['--json']);
    outputs.push(ok.stdout, ok.stderr);
    for (const text of outputs) expect(text).not.toContain(TOKEN);
  });
});

function issueRequestsTotal(report: { phases: Phase[] }): number {
  return report.phases.reduce((sum, p) => sum + Math.max(1, Math.ceil(p.total / 100)), 0);
}

describe('roadmap consistency checks', () => {
  it('warns about a missing phase milestone, a closed one with open issues, an unlisted phase and a partial dependency that does not exist', async () => {
    const world = await roadmapWorld();
    const data = world.gitlab.data;
    // Phase 3's milestone is gone; Phase 0's is closed with one issue reopened
    data.milestones.splice(data.milestones.indexOf(world.milestones[3]!), 1);
    data.issues.find((i) => i.milestoneId === world.milestones[0]!.id)!.state = 'opened';
    data.addMilestone(GROUP, 'Phase 6: Cloud workload runtime', { state: 'closed' });
    data.addMilestone(GROUP, 'phase 7 - later');
    data.addMilestone(GROUP, 'Phases retro');
    // mson/runners#5 was never filed
    data.issues.splice(data.issues.findIndex((i) => i.iid === 5 && i.title.startsWith('Migrate')), 1);
    const { report, stderr } = await json(world);
    expect(stderr.trim().split('\n')).toEqual([
      `warning: Phase 0: Close open loops: milestone "${MILESTONES[0]}" is closed but 1 of its issues is open`,
      `warning: Phase 3: Group standards docs: milestone "${MILESTONES[3]}" does not exist in group mson`,
      'warning: Phase 4: Lab Kubernetes: partial dependency mson/runners#5 does not exist (or the token cannot see it)',
      'warning: group milestone "phase 7 - later" (active) looks like a phase but is not in foundation.yaml roadmap.phases',
      'warning: group milestone "Phase 6: Cloud workload runtime" (closed) looks like a phase but is not in foundation.yaml roadmap.phases',
    ]);
    expect(report.warnings.map((w: { kind: string }) => w.kind)).toEqual([
      'milestone-closed-with-open-issues',
      'milestone-missing',
      'partial-dependency-missing',
      'unlisted-phase-milestone',
      'unlisted-phase-milestone',
    ]);
    const phases = report.phases as Phase[];
    // Phase 0 has an open issue again: everything after it is blocked
    expect(phases.map((p) => p.state)).toEqual(['in progress', 'blocked', 'blocked', 'blocked', 'blocked', 'blocked']);
    expect(phases[3]).toMatchObject({ total: 0, closed: 0, milestone: { found: false, state: null, webUrl: null } });
    expect(phases[4]!.partialDependencies[0]).toMatchObject({ issue: 'mson/runners#5', issueState: 'missing', waiting: false });
    // a run with warnings still ran: exit 0
  });

  it('warns when a partial dependency sits outside its phase\'s milestone and when the exit proof is missing', async () => {
    const world = await roadmapWorld();
    const data = world.gitlab.data;
    data.findIssue('mson/runners', 5)!.milestoneId = world.milestones[1]!.id;
    data.issues.splice(data.issues.indexOf(data.findIssue('mson/eve-skill-farm', 120)!), 1);
    const { report, stderr } = await json(world);
    expect(stderr).toContain('warning: Phase 4: Lab Kubernetes: partial dependency mson/runners#5 is not in milestone "Phase 4: Lab Kubernetes"');
    expect(stderr).toContain('warning: exit proof mson/eve-skill-farm#120 does not exist (or the token cannot see it)');
    expect(report.exitProof).toMatchObject({ state: 'missing', title: null, webUrl: null });
    expect(report.complete).toBe(false);
  });
});

describe('roadmap bad input', () => {
  it('refuses what it cannot use with one error line, a hint and exit 1', async () => {
    const world = await roadmapWorld({ seed: 'empty' });
    const cases: Array<[string[], Record<string, string | undefined>, string, string]> = [
      [['--json', '--markdown'], {}, 'error: --json and --markdown do not go together', 'hint: pick one output format'],
      [[], { GITLAB_TOKEN: '' }, 'error: GITLAB_TOKEN is not set', `hint: set GITLAB_TOKEN to a token with the read_api scope for ${world.gitlab.url}, or render a saved snapshot with --offline FILE`],
      [[], { GITLAB_URL: 'gitlab.example' }, 'error: GITLAB_URL "gitlab.example" is not a URL', 'hint: set GITLAB_URL to the GitLab instance, e.g. https://gitlab.com'],
      [[], { FOUNDATION_ROADMAP_NOW: 'yesterday' }, 'error: FOUNDATION_ROADMAP_NOW "yesterday" is not a date', 'hint: use an ISO date such as 2026-11-23 or 2026-11-23T12:00:00Z, or unset it'],
      [['--offline', path.join(world.dir, 'nope.json')], {}, `error: cannot read roadmap snapshot ${path.join(world.dir, 'nope.json')} (ENOENT)`, 'hint: save one with "foundation roadmap --json > FILE" and pass that file'],
    ];
    writeFileSync(path.join(world.dir, 'text.json'), 'not json');
    writeFileSync(path.join(world.dir, 'partial.json'), JSON.stringify({ schemaVersion: 1, phases: [] }));
    cases.push(
      [['--offline', path.join(world.dir, 'text.json')], {}, `error: roadmap snapshot ${path.join(world.dir, 'text.json')} is not JSON`, 'hint: save one with "foundation roadmap --json > FILE" and pass that file'],
      [['--offline', path.join(world.dir, 'partial.json')], {}, `error: roadmap snapshot ${path.join(world.dir, 'partial.json')}: field "generatedAt": is missing`, 'hint: save one with "foundation roadmap --json > FILE" and pass that file'],
    );
    for (const [args, env, error, hint] of cases) {
      const result = await world.run(args, env);
      expect(result.exitCode, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toEqual([error, hint]);
    }
    // none of them asked GitLab anything
    expect(world.gitlab.requests).toEqual([]);
  });

  it('checks the roadmap section: unknown phases, cycles, bad references', async () => {
    const world = await roadmapWorld({ seed: 'empty' });
    const file = path.join(world.dir, 'foundation.yaml');
    const original = readFileSync(file, 'utf8');
    const cases: Array<[string, string]> = [
      [original.replace('dependsOn: [4]', 'dependsOn: [9]'), 'error: foundation.yaml: field "roadmap.phases.5.dependsOn.0": unknown phase 9'],
      [original.replace('      dependsOn: [0]\n      partialDependencies', '      dependsOn: [5]\n      partialDependencies'), 'error: foundation.yaml: field "roadmap.phases": the dependencies form a cycle: Phase 4 -> Phase 5 -> Phase 4'],
      [original.replace('issue: mson/runners#5', 'issue: runners#5'), 'error: foundation.yaml: field "roadmap.phases.4.partialDependencies.0.issue": must be an issue reference such as mson/runners#5'],
      [original.replace('    - number: 5\n', '    - number: 3\n'), 'error: foundation.yaml: field "roadmap.phases.5.number": phase 3 is listed twice'],
      [original.replace(/\nroadmap:[\s\S]*$/, '\n'), 'error: foundation.yaml has no roadmap section'],
    ];
    for (const [text, error] of cases) {
      writeFileSync(file, text);
      const result = await world.run([]);
      expect(result.exitCode, error).toBe(1);
      expect(result.stderr.split('\n')[0]).toBe(error);
      expect(result.stderr).toMatch(/\nhint: /);
    }
    expect(world.gitlab.requests).toEqual([]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadedModules, TRACE_MODULES } from '../support/module-trace.js';
import { cleanUpRoadmapWorlds, EXIT_PROOF, roadmapWorld } from '../support/roadmap.js';

cleanUpRoadmapWorlds();

const MERMAID = `flowchart TD
  P0["Phase 0: Close open loops<br/>done, 4/4 closed (100%), due 2026-09-30"]
  P1["Phase 1: CI capacity<br/>in progress, 55/130 closed (42%), due 2026-12-15"]
  P2["Phase 2: Group management via tofu<br/>not started, 0/3 closed (0%), overdue since 2026-10-31"]
  P3["Phase 3: Group standards docs<br/>not started, 0/2 closed (0%)"]
  P4["Phase 4: Lab Kubernetes<br/>in progress, 3/8 closed (37%), due 2027-02-01"]
  P5["Phase 5: Workload enablement<br/>blocked, 1/5 closed (20%), due 2027-04-01"]
  EXIT{{"Exit proof mson/eve-skill-farm#120<br/>opened, live check passed"}}
  P0 ==> P1
  P0 --> P2
  P0 --> P3
  P0 --> P4
  P1 -. "mson/runners#5 only" .-> P4
  P4 ==> P5
  P5 ==> EXIT
  classDef done fill:#d4edda,stroke:#2e7d32
  classDef inProgress fill:#fff3cd,stroke:#b8860b
  classDef notStarted fill:#f1f3f5,stroke:#6c757d
  classDef blocked fill:#f8d7da,stroke:#c62828
  classDef exit fill:#ffffff,stroke:#343a40
  class P0 done
  class P1,P4 inProgress
  class P2,P3 notStarted
  class P5 blocked
  class EXIT exit
`;

describe('foundation roadmap output', () => {
  it('--mermaid draws the dependency graph with progress; the critical path in thick arrows', async () => {
    const world = await roadmapWorld();
    world.deploy(true);
    const result = await world.run(['--mermaid'], TRACE_MODULES);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(MERMAID);
    expect(loadedModules(result.stderr)).toEqual(['@gitbeaker/core', '@gitbeaker/requester-utils', '@gitbeaker/rest', '@kubernetes/client-node']);
  });

  it('--markdown is a docs page: status, phase table, critical path, open issues, graph', async () => {
    const world = await roadmapWorld();
    world.deploy(true);
    const result = await world.run(['--markdown']);
    expect(result.exitCode, result.stderr).toBe(0);
    const page = result.stdout;
    const url = world.gitlab.url;
    expect(page.startsWith('# Foundation roadmap\n\nGenerated 2026-11-23 from the group milestones of `mson` on')).toBe(true);
    expect(page).toContain(`**Foundation is not complete: exit proof mson/eve-skill-farm#120 is open.** Exit proof: [mson/eve-skill-farm#120](${url}/mson/eve-skill-farm/-/issues/120) (opened); live check: Deployment eve-skill-farm/eve-skill-farm in context lab: passes (Deployment eve-skill-farm/eve-skill-farm: 2/2 replicas available).`);
    const table = page.split('\n').filter((l) => l.startsWith('| '));
    expect(table).toEqual([
      '| Phase | State | Closed | Progress | Due | Blocked by |',
      '| --- | --- | --- | --- | --- | --- |',
      `| [Phase 0: Close open loops](${url}/groups/mson/-/milestones/1) | done | 4/4 | 100% | 2026-09-30 |  |`,
      `| [Phase 1: CI capacity](${url}/groups/mson/-/milestones/2) | in progress | 55/130 | 42% | 2026-12-15 |  |`,
      `| [Phase 2: Group management via tofu](${url}/groups/mson/-/milestones/3) | not started | 0/3 | 0% | 2026-10-31 (overdue) |  |`,
      `| [Phase 3: Group standards docs](${url}/groups/mson/-/milestones/4) | not started | 0/2 | 0% | - |  |`,
      `| [Phase 4: Lab Kubernetes](${url}/groups/mson/-/milestones/5) | in progress | 3/8 | 37% | 2027-02-01 |  |`,
      `| [Phase 5: Workload enablement](${url}/groups/mson/-/milestones/6) | blocked | 1/5 | 20% | 2027-04-01 | Phase 4 (in progress) |`,
    ]);
    expect(page).toContain('- **Phase 5**: work under way (1 of 5 closed) while Phase 4 is unfinished');
    expect(page).toContain('- Phase 4: mson/runners#5 depends on Phase 1 (the runner-manager migration assumes the Phase 1 manager exists): waiting');
    expect(page).toContain('## Critical path to the exit proof\n\nPhase 0 (done) -> Phase 1 (in progress, 75 open) -> mson/runners#5 -> Phase 4 (in progress, 5 open) -> Phase 5 (blocked, 4 open) -> mson/eve-skill-farm#120: 84 open issues.');
    expect(page).toContain(`### Phase 4: Lab Kubernetes (critical path)\n\n- [mson/runners#5](${url}/mson/runners/-/issues/5) Migrate the runner manager into the lab cluster\n`);
    // every open issue of Phase 1, on the page
    expect(page.split('\n').filter((l) => l.includes('Phase 1 work item'))).toHaveLength(75);
    expect(page).toContain('## Dependency graph\n\n```mermaid\nflowchart TD\n');
    expect(page.trimEnd().endsWith('class EXIT exit\n```')).toBe(true);
  });

  it('--offline renders a saved --json snapshot exactly as the live run it was saved from, without GitLab or a token', async () => {
    const world = await roadmapWorld();
    world.deploy(false);
    world.gitlab.data.addMilestone('mson', 'Phase 6: Cloud workload runtime');
    const formats = [[], ['--markdown'], ['--mermaid']];
    const live = [];
    for (const args of formats) live.push(await world.run(args));
    const saved = await world.run(['--json']);
    expect(saved.exitCode, saved.stderr).toBe(0);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'roadmap-snapshot-')), 'roadmap.json');
    writeFileSync(file, saved.stdout);
    await world.gitlab.stop();
    await world.kube.stop();
    const offlineEnv = { GITLAB_TOKEN: undefined, GITLAB_URL: undefined, KUBECONFIG: undefined, FOUNDATION_ROADMAP_NOW: undefined };
    for (const [i, args] of formats.entries()) {
      const offline = await world.run([...args, '--offline', file], offlineEnv);
      expect(offline.exitCode, offline.stderr).toBe(0);
      expect(offline.stdout).toBe(live[i]!.stdout);
      expect(offline.stderr).toBe(live[i]!.stderr);
    }
    expect(live[0]!.stderr).toBe('warning: group milestone "Phase 6: Cloud workload runtime" (active) looks like a phase but is not in foundation.yaml roadmap.phases\n');
    const again = await world.run(['--json', '--offline', file], offlineEnv);
    expect(again.stdout).toBe(saved.stdout);
    // a docs build pays for neither GitLab's nor Kubernetes' client; a live run loads both, and --help neither
    expect(loadedModules((await world.run(['--offline', file], { ...offlineEnv, ...TRACE_MODULES })).stderr)).toEqual([]);
    expect(loadedModules((await world.run(['--help'], TRACE_MODULES)).stderr)).toEqual([]);
    // the human view, checked once
    const text = live[0]!.stdout;
    expect(text).toContain('5 Workload enablement        blocked      1/5     20   2027-04-01            Phase 4 (in progress)');
    expect(text).toContain('2 Group management via tofu  not started  0/3     0    2026-10-31 (overdue)  -');
    expect(text).toContain('! Phase 5: work under way (1 of 5 closed) while Phase 4 is unfinished');
    expect(text).toContain('  Phase 4: mson/runners#5 waits for Phase 1 (the runner-manager migration assumes the Phase 1 manager exists)');
    expect(text).toContain('    ... and 65 more (--json lists them all)');
    expect(text).toContain('Live check: Deployment eve-skill-farm/eve-skill-farm in context lab: fails (Deployment eve-skill-farm/eve-skill-farm is not available (MinimumReplicasUnavailable: Deployment does not have minimum availability.; 0/2 replicas available))');
    expect(text).toContain('Foundation: not complete: exit proof mson/eve-skill-farm#120 is open and the live check fails');
  });
});

describe('the exit proof', () => {
  const closeExitProof = (world: Awaited<ReturnType<typeof roadmapWorld>>) => world.gitlab.data.setIssueState(EXIT_PROOF.project, EXIT_PROOF.iid, 'closed');

  it('is complete only when the issue is closed and the Deployment is available', async () => {
    const world = await roadmapWorld();
    world.deploy(true);
    closeExitProof(world);
    const result = await world.run(['--json']);
    const report = JSON.parse(result.stdout);
    expect(report.exitProof).toMatchObject({ state: 'closed', liveCheck: { context: 'lab', namespace: 'eve-skill-farm', deployment: 'eve-skill-farm', passed: true, detail: 'Deployment eve-skill-farm/eve-skill-farm: 2/2 replicas available' } });
    expect(report.complete).toBe(true);
    const text = await world.run([]);
    expect(text.stdout).toContain('Foundation: complete: the exit proof is closed and the live check passes');
    // the check read the Deployment through the kube API, with the kubeconfig's credentials
    expect(world.kube.requests.some((r) => r.method === 'GET' && r.path === '/apis/apps/v1/namespaces/eve-skill-farm/deployments/eve-skill-farm')).toBe(true);
  });

  it('closed issue but the Deployment unavailable, missing or the cluster unreachable: not complete', async () => {
    const world = await roadmapWorld();
    closeExitProof(world);
    world.deploy(false);
    const unavailable = JSON.parse((await world.run(['--json'])).stdout);
    expect(unavailable.exitProof.liveCheck).toMatchObject({ passed: false, detail: 'Deployment eve-skill-farm/eve-skill-farm is not available (MinimumReplicasUnavailable: Deployment does not have minimum availability.; 0/2 replicas available)' });
    expect(unavailable.complete).toBe(false);

    world.kube.remove('apps/v1', 'Deployment', 'eve-skill-farm', 'eve-skill-farm');
    const missing = JSON.parse((await world.run(['--json'])).stdout);
    expect(missing.exitProof.liveCheck).toMatchObject({ passed: false, detail: 'Deployment eve-skill-farm/eve-skill-farm does not exist' });
    expect(missing.complete).toBe(false);

    await world.kube.stop();
    const down = await world.run(['--json']);
    expect(down.exitCode, down.stderr).toBe(0);
    const report = JSON.parse(down.stdout);
    expect(report.exitProof.liveCheck.passed).toBe(false);
    expect(report.exitProof.liveCheck.detail).toMatch(/^the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context lab\) is unreachable \(ECONNREFUSED\)$/);
    expect(report.complete).toBe(false);
  });

  it('open issue with the Deployment available: not complete', async () => {
    const world = await roadmapWorld();
    world.deploy(true);
    const report = JSON.parse((await world.run(['--json'])).stdout);
    expect(report.exitProof.state).toBe('opened');
    expect(report.exitProof.liveCheck.passed).toBe(true);
    expect(report.complete).toBe(false);
  });
});

// A Foundation roadmap world for tests: the GitLab stand-in seeded with the mson group's
// six phase milestones, the test Kubernetes API as the lab cluster (context `lab`) and a
// project folder holding the repository's own foundation.yaml.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { REPO_ROOT, runCli, type CliResult } from './cli.js';
import { startGitLabApi, type GitLabApi } from './gitlab-api/server.js';
import type { Milestone } from './gitlab-api/data.js';
import { KubeApiServer } from './kube-api-server.js';
import { writeKubeconfig } from './kubeconfig.js';

export const GROUP = 'mson';
export const TOKEN = 'glpat-canary-7c1e9b52d04f';
export const NOW = '2026-11-23T12:00:00Z';
export const EXIT_PROOF = { project: 'mson/eve-skill-farm', iid: 120 };
const KUBE_TOKEN = 'lab-kube-token-31f0';

export const MILESTONES = [
  'Phase 0: Close open loops',
  'Phase 1: CI capacity',
  'Phase 2: Group management via tofu',
  'Phase 3: Group standards docs',
  'Phase 4: Lab Kubernetes',
  'Phase 5: Workload enablement',
];

export interface RoadmapWorld {
  gitlab: GitLabApi;
  kube: KubeApiServer;
  dir: string;
  env: Record<string, string>;
  milestones: Milestone[];
  run(args: string[], env?: Record<string, string | undefined>): Promise<CliResult>;
  /** The eve-skill-farm Deployment in the lab cluster, available or not. */
  deploy(available: boolean): void;
}

const running: Array<{ stop(): Promise<void> }> = [];
const dirs: string[] = [];

export function cleanUpRoadmapWorlds(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** Adds `count` issues to a milestone, the first `closed` of them closed, spread over the given projects. */
export function addIssues(gitlab: GitLabApi, milestone: Milestone, count: number, closed: number, projects: string[]): void {
  for (let i = 0; i < count; i++) {
    gitlab.data.addIssue(projects[i % projects.length]!, { milestone, state: i < closed ? 'closed' : 'opened', title: `${milestone.title.split(':')[0]} work item ${i + 1}` });
  }
}

/**
 * Empty: the group and its projects only. `standard`: Phase 0 closed and done (4/4),
 * Phase 1 in progress (55/130, over two pages), Phase 2 not started and overdue (0/3),
 * Phase 3 not started (0/2), Phase 4 in progress (3/8, with mson/runners#5 open),
 * Phase 5 blocked by Phase 4 (1/5, with the exit proof open).
 */
export async function roadmapWorld({ seed = 'standard', scopes = ['read_api'] }: { seed?: 'standard' | 'empty'; scopes?: string[] } = {}): Promise<RoadmapWorld> {
  const gitlab = await startGitLabApi({ tokens: { [TOKEN]: scopes } });
  const kube = await new KubeApiServer({ token: KUBE_TOKEN }).start();
  running.push(gitlab, kube);
  gitlab.data.addGroup(GROUP);
  const milestones: Milestone[] = [];
  if (seed === 'standard') {
    const [p0, p1, p2, p3, p4, p5] = [
      gitlab.data.addMilestone(GROUP, MILESTONES[0]!, { state: 'closed', dueDate: '2026-09-30' }),
      gitlab.data.addMilestone(GROUP, MILESTONES[1]!, { dueDate: '2026-12-15', startDate: '2026-10-01' }),
      gitlab.data.addMilestone(GROUP, MILESTONES[2]!, { dueDate: '2026-10-31' }),
      gitlab.data.addMilestone(GROUP, MILESTONES[3]!),
      gitlab.data.addMilestone(GROUP, MILESTONES[4]!, { dueDate: '2027-02-01' }),
      gitlab.data.addMilestone(GROUP, MILESTONES[5]!, { dueDate: '2027-04-01' }),
    ] as const;
    milestones.push(p0, p1, p2, p3, p4, p5);
    gitlab.data.addMilestone(GROUP, 'Backlog grooming');
    // the two issues the roadmap names, at their real iids
    gitlab.data.addIssue('mson/runners', { iid: 5, milestone: p4, title: 'Migrate the runner manager into the lab cluster' });
    gitlab.data.addIssue(EXIT_PROOF.project, { iid: EXIT_PROOF.iid, milestone: p5, title: 'Deploy eve-skill-farm to the lab cluster' });
    addIssues(gitlab, p0, 4, 4, ['mson/bart', 'mson/runners']);
    addIssues(gitlab, p1, 130, 55, ['mson/aws-landing-zone', 'mson/runners']);
    addIssues(gitlab, p2, 3, 0, ['mson/bart']);
    addIssues(gitlab, p3, 2, 0, ['mson/docs']);
    addIssues(gitlab, p4, 7, 3, ['mson/lab']);
    addIssues(gitlab, p5, 4, 1, ['mson/lab']);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'foundation-roadmap-'));
  dirs.push(dir);
  copyFileSync(path.join(REPO_ROOT, 'foundation.yaml'), path.join(dir, 'foundation.yaml'));
  mkdirSync(path.join(dir, 'stacks'));
  writeFileSync(path.join(dir, 'stacks', 'README.md'), 'no stacks here\n');
  const kubeconfig = await writeKubeconfig(kube, { token: KUBE_TOKEN, context: 'lab', dir });
  kube.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'eve-skill-farm' } });
  const env = { GITLAB_URL: gitlab.url, GITLAB_TOKEN: TOKEN, KUBECONFIG: kubeconfig, FOUNDATION_ROADMAP_NOW: NOW };
  return {
    gitlab,
    kube,
    dir,
    env,
    milestones,
    run: (args, extra = {}) => runCli(['roadmap', ...args], { cwd: dir, env: { ...env, ...extra } }),
    deploy(available) {
      kube.put({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'eve-skill-farm', namespace: 'eve-skill-farm', generation: 1 },
        spec: { replicas: 2, selector: { matchLabels: { app: 'eve-skill-farm' } }, template: { metadata: { labels: { app: 'eve-skill-farm' } }, spec: { containers: [{ name: 'app', image: 'registry.example/eve-skill-farm:1.0.0' }] } } },
        status: {
          observedGeneration: 1,
          replicas: 2,
          readyReplicas: available ? 2 : 0,
          availableReplicas: available ? 2 : 0,
          conditions: [
            { type: 'Available', status: available ? 'True' : 'False', reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
            { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
          ],
        },
      });
    },
  };
}

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli, spawnCli } from '../support/cli.js';
import { cleanUpStatusProjects, statusProject, type StatusProject } from '../support/status-project.js';
import { waitFor } from '../support/wait.js';

cleanUpStatusProjects();

interface StatusJson {
  command: string;
  env: string;
  exitCode: number;
  stacks: Array<{
    stack: string;
    verdict: string;
    exitCode: number;
    plan: { stack: string; status: string; exitCode: number; summary?: { add: number; change: number; destroy: number }; init?: { ran: boolean }; error?: { message: string; hint?: string }; durationMs?: number };
    drift: {
      stack: string;
      status: string;
      exitCode: number;
      state?: string;
      context?: string;
      counts?: { managed: number; inSync: number; changed: number; missing: number; unmanaged: number; live: number; coverage: number | null };
      objects?: Array<{ state: string; kind: string; namespace?: string; name: string; fields: Array<{ path: string; expected?: unknown; live?: unknown }> }>;
      releases?: unknown[];
      notCompared?: string[];
      error?: { message: string };
    };
    state: { key: string; serial: number | null; lineage: string | null; lastModified: string | null; lock: null | { who: string; operation: string; id: string; ageMs: number | null }; error?: unknown };
    guards: {
      runLock: null | { pid: number; command: string };
      drain: null | { namespace: string; lease: null | { holder: string }; scaleSets: Array<{ name: string; drain: null | { holder: string } }> };
    };
  }>;
}

const json = (stdout: string) => JSON.parse(stdout) as StatusJson;
const byStack = (report: StatusJson, name: string) => report.stacks.find((s) => s.stack === name)!;

/**
 * The four states and a failing plan: attic and runner-dashboard have repo changes
 * (TF_VAR_changed), gitlab-runners has an object created by hand, runner-dashboard a
 * ConfigMap edited by hand, and the added cache-warmer's plan fails.
 */
async function fourStates(): Promise<{ project: StatusProject; env: Record<string, string> }> {
  const project = await statusProject();
  await project.addStack('cache-warmer');
  project.server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hotfix', namespace: 'gitlab-runners' }, data: { PATCHED: 'by hand' } });
  project.edit('v1', 'ConfigMap', 'runner-dashboard', 'settings', (o) => {
    (o.data as Record<string, string>).RELEASE = '1-hotfix';
  });
  return { project, env: { ...project.env, TF_VAR_changed: 'attic,runner-dashboard', TF_VAR_fail_plan: 'cache-warmer' } };
}

describe('foundation status: plan and drift of every stack at once', () => {
  it('shows the four states and a failing plan in the table, --json and --markdown, and exits 0, 1 or 2 as documented', async () => {
    const { project, env } = await fourStates();
    const summaryFile = path.join(mkdtempSync(path.join(tmpdir(), 'status-summary-')), 'summary.md');
    const writesBefore = project.s3.writes().length;

    const human = await runCli(['status', '--all'], { cwd: project.dir, env });
    expect(human.exitCode, human.stderr).toBe(1); // a plan failed
    const lines = human.stdout.split('\n');
    expect(lines[0], human.stdout).toBe('foundation status (ENV dev): 1 in sync, 1 changes pending, 1 drifted, 1 both, 1 error; exit 1');
    const table = lines.slice(1, 7);
    expect(table[0]).toMatch(/^STACK +VERDICT +REPO→STATE +STATE→LIVE +COVERAGE +STATE +LOCKS AND GUARDS$/);
    // dependency order (cache-warmer depends on nothing), one row each
    expect(table.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['arc-runners', 'cache-warmer', 'attic', 'gitlab-runners', 'runner-dashboard']);
    const row = (stack: string) => table.find((l) => l.startsWith(`${stack} `))!.split(/\s{2,}/);
    expect(row('arc-runners')).toEqual(['arc-runners', 'in sync', 'no changes', 'in sync', '100%', expect.stringMatching(/^#3, \d+s ago$/), '-']);
    expect(row('attic')).toEqual(['attic', 'changes pending', '+0 ~1 -0', 'in sync', '100%', expect.stringMatching(/^#3, /), '-']);
    expect(row('gitlab-runners')).toEqual(['gitlab-runners', 'drifted', 'no changes', '1 unmanaged', '50%', expect.stringMatching(/^#3, /), '-']);
    expect(row('runner-dashboard')).toEqual(['runner-dashboard', 'both', '+0 ~1 -0', '1 changed', '100%', expect.stringMatching(/^#3, /), '-']);
    // the failed plan still has its drift row
    expect(row('cache-warmer')).toEqual(['cache-warmer', 'error', 'failed', 'in sync', '100%', expect.stringMatching(/^#3, /), '-']);
    for (const line of table) expect(line.length).toBeLessThanOrEqual(120);
    expect(human.stdout).toContain('cache-warmer: plan: tofu plan failed for stack "cache-warmer" (exit 1): Resource precondition failed');
    expect(human.stdout).toContain(`  hint: "foundation plan cache-warmer" shows tofu's whole output`);
    expect(human.stdout).toContain('next: foundation plan attic runner-dashboard   (the changes)');
    expect(human.stdout).toContain('next: foundation drift gitlab-runners runner-dashboard   (what drifted, field by field)');

    const report = json((await runCli(['status', '--all', '--json'], { cwd: project.dir, env })).stdout);
    expect(report).toMatchObject({ command: 'status', env: 'dev', exitCode: 1 });
    expect(report.stacks.map((s) => [s.stack, s.verdict, s.exitCode])).toEqual([
      ['arc-runners', 'in sync', 0],
      ['cache-warmer', 'error', 1],
      ['attic', 'changes pending', 0],
      ['gitlab-runners', 'drifted', 0],
      ['runner-dashboard', 'both', 0],
    ]);
    // every field of the plan report...
    expect(byStack(report, 'attic').plan).toMatchObject({ stack: 'attic', status: 'changes', exitCode: 0, summary: { add: 0, change: 1, destroy: 0 }, init: { ran: false } });
    expect(byStack(report, 'attic').plan.durationMs).toBeGreaterThan(0);
    expect(byStack(report, 'cache-warmer').plan).toMatchObject({ status: 'failed', exitCode: 1, error: { message: 'tofu plan failed for stack "cache-warmer" (exit 1): Resource precondition failed' } });
    // ...and of the drift report, as drift --json has them
    const dashboard = byStack(report, 'runner-dashboard').drift;
    expect(dashboard).toMatchObject({ stack: 'runner-dashboard', status: 'drifted', state: 's3://state/dev/runner-dashboard/terraform.tfstate', context: 'test-status', counts: { managed: 1, changed: 1, unmanaged: 0 }, releases: [], notCompared: [] });
    expect(dashboard.objects).toEqual([expect.objectContaining({ state: 'changed', kind: 'ConfigMap', name: 'settings', fields: [{ path: '/data/RELEASE', expected: '1', live: '1-hotfix' }] })]);
    const driftOnly = await runCli(['drift', 'gitlab-runners', '--json'], { cwd: project.dir, env });
    expect(byStack(report, 'gitlab-runners').drift).toEqual(JSON.parse(driftOnly.stdout).stacks[0]);
    expect(byStack(report, 'cache-warmer').drift).toMatchObject({ status: 'in-sync', counts: { managed: 1, inSync: 1 } });
    // the state object: serial, lineage, last written; no lock
    const attic = byStack(report, 'attic').state;
    expect(attic).toMatchObject({ key: 'dev/attic/terraform.tfstate', serial: 3, lineage: expect.stringMatching(/^[0-9a-f-]{36}$/), lock: null });
    expect(Date.now() - Date.parse(attic.lastModified!)).toBeLessThan(10 * 60_000);
    expect(byStack(report, 'arc-runners').guards).toMatchObject({ runLock: null, drain: { namespace: 'arc-runners', lease: null, scaleSets: [{ name: 'docker-baseline', drain: null }, { name: 'nix-baseline', drain: null }] } });
    expect(byStack(report, 'attic').guards).toEqual({ runLock: null, drain: null });

    const markdown = await runCli(['status', '--all', '--markdown'], { cwd: project.dir, env: { ...env, GITHUB_STEP_SUMMARY: summaryFile } });
    expect(markdown.exitCode).toBe(1);
    expect(markdown.stdout).toContain('### foundation status (ENV dev): 1 in sync, 1 changes pending, 1 drifted, 1 both, 1 error');
    expect(markdown.stdout).toContain('| stack | verdict | repo→state | state→live | coverage | state | locks and guards |');
    expect(markdown.stdout).toMatch(/^\| runner-dashboard \| both \| \+0 ~1 -0 \| 1 changed \| 100% \| #3, \d+s ago \| - \|$/m);
    expect(markdown.stdout).toContain('- cache-warmer: plan: tofu plan failed for stack "cache-warmer" (exit 1): Resource precondition failed');
    expect(readFileSync(summaryFile, 'utf8')).toBe(markdown.stdout);

    // exit codes: 0 ran (whatever it found), 2 not in sync with --detailed-exitcode, 1 error
    const four = ['arc-runners', 'attic', 'gitlab-runners', 'runner-dashboard'];
    expect((await runCli(['status', ...four], { cwd: project.dir, env })).exitCode).toBe(0);
    expect((await runCli(['status', ...four, '--detailed-exitcode'], { cwd: project.dir, env })).exitCode).toBe(2);
    expect((await runCli(['status', 'arc-runners', '--detailed-exitcode'], { cwd: project.dir, env })).exitCode).toBe(0);
    expect((await runCli(['status', 'gitlab-runners', '--detailed-exitcode'], { cwd: project.dir, env })).exitCode).toBe(2);
    expect((await runCli(['status', '--all', '--detailed-exitcode'], { cwd: project.dir, env })).exitCode).toBe(1);
    // status wrote nothing to the bucket: no state, and no lock object ever
    expect(project.s3.writes().slice(writesBefore)).toEqual([]);
  });

  it('takes no lock: an apply runs while status plans, and status reads through the state lock and run lock of an apply and names their holders', async () => {
    const project = await statusProject();
    // A hold is released when the test ends, whatever happens: no plan is left waiting.
    const holdFile = (name: string) => {
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'status-hold-')), name);
      onTestFinished(() => writeFileSync(file, ''));
      return file;
    };
    const cwd = project.dir;

    // status stopped in the middle of its plan of attic (the provider stand-in holds it)
    const statusHold = holdFile('status');
    const status = spawnCli(['status', 'attic', '--json'], { cwd, env: { ...project.env, KUBE_PROVIDER_HOLD: statusHold } });
    await waitFor(() => existsSync(`${statusHold}.held`), 'status to be planning attic');
    // meanwhile an apply of the same stack takes the state lock, plans, applies and writes a new state
    const applied = await runCli(['apply', 'attic', '--auto-approve'], { cwd, env: { ...project.env, TF_VAR_changed: 'attic', TF_VAR_release: '2' } });
    expect(applied.exitCode, applied.stderr).toBe(0);
    expect(JSON.parse(await project.s3.read('dev/attic/terraform.tfstate')).serial).toBe(4);
    writeFileSync(statusHold, '');
    const finished = await status;
    expect(finished.exitCode, finished.stderr).toBe(0);
    expect(json(finished.stdout).stacks[0]).toMatchObject({ stack: 'attic', verdict: 'in sync', plan: { status: 'no-changes' } });

    // now an apply holds the state lock (stopped in its plan) and the run lock of attic
    const release2 = { ...project.env, TF_VAR_changed: 'attic', TF_VAR_release: '2' };
    const applyHold = holdFile('apply');
    const applying = spawnCli(['apply', 'attic', '--auto-approve'], { cwd, env: { ...release2, TF_VAR_release: '3', KUBE_PROVIDER_HOLD: applyHold } });
    await waitFor(() => existsSync(`${applyHold}.held`), 'the apply to be planning with the state lock held');
    expect(await project.s3.keys()).toContain('dev/attic/terraform.tfstate.tflock');
    const during = await runCli(['status', '--all', '--json'], { cwd, env: release2 });
    expect(during.exitCode, during.stderr + during.stdout).toBe(0);
    const attic = byStack(json(during.stdout), 'attic');
    expect(attic.plan).toMatchObject({ status: 'no-changes' }); // planned through the lock
    expect(attic.state.lock).toMatchObject({ operation: 'OperationTypePlan', who: expect.stringMatching(/^\S+@\S+$/) });
    expect(attic.guards.runLock).toMatchObject({ pid: applying.pid, command: 'foundation apply attic' });
    const human = await runCli(['status', 'attic'], { cwd, env: release2 });
    expect(human.stdout).toMatch(/^attic +in sync +no changes +in sync +100% +#4, \d+s ago +state lock, run lock$/m);
    expect(human.stdout).toMatch(/^attic: state lock held by \S+@\S+ for plan, \d+s ago \(.+Z\) \(ID [0-9a-f-]+\)$/m);
    expect(human.stdout).toContain(`attic: run lock held by pid ${applying.pid} (foundation apply attic) on `);
    writeFileSync(applyHold, '');
    const second = await applying;
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(await project.s3.read('dev/attic/terraform.tfstate')).serial).toBe(5);
  });

  it('shows drained scale sets and the drain Lease holder; a stack whose drift fails keeps its plan row', async () => {
    const project = await statusProject();
    const cwd = project.dir;
    const drain = await runCli(['drain', 'arc-runners'], { cwd, env: project.env });
    expect(drain.exitCode, drain.stderr).toBe(0);
    const micro = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString().replace('Z', '000Z');
    project.server.put({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'foundation-drain', namespace: 'arc-runners' },
      spec: { holderIdentity: 'ci-runner-9 pid=77 run=ffffff', leaseDurationSeconds: 60, acquireTime: micro(-5_000), renewTime: micro() },
    });
    // gitlab-runners never applied: its plan adds everything, its drift has no state to read
    await project.s3.remove('dev/gitlab-runners/terraform.tfstate');

    const human = await runCli(['status', '--all'], { cwd, env: project.env });
    expect(human.exitCode).toBe(1);
    expect(human.stdout).toMatch(/^arc-runners +in sync +no changes +in sync +100% +#3, \d+s ago +drained 2\/2, drain lease$/m);
    expect(human.stdout).toMatch(/^arc-runners: drained now: docker-baseline \(\S+Z, \S+ pid=\d+\), nix-baseline \(\S+Z, \S+ pid=\d+\)$/m);
    expect(human.stdout).toContain('arc-runners: drain Lease arc-runners/foundation-drain held by ci-runner-9 pid=77');
    expect(human.stdout).toMatch(/^gitlab-runners +error +\+2 ~0 -0 +error +- +no state +-$/m);
    expect(human.stdout).toContain('gitlab-runners: drift: no state object at s3://state/dev/gitlab-runners/terraform.tfstate');

    const report = json((await runCli(['status', '--all', '--json'], { cwd, env: project.env })).stdout);
    expect(byStack(report, 'gitlab-runners')).toMatchObject({
      verdict: 'error',
      exitCode: 1,
      plan: { status: 'changes', summary: { add: 2, change: 0, destroy: 0 } },
      drift: { status: 'failed', error: { message: expect.stringContaining('no state object') } },
      state: { serial: null, lastModified: null, lock: null },
    });
    const guard = byStack(report, 'arc-runners').guards.drain!;
    expect(guard.lease).toMatchObject({ holder: 'ci-runner-9 pid=77 run=ffffff' });
    expect(guard.scaleSets.map((s) => [s.name, Boolean(s.drain)])).toEqual([['docker-baseline', true], ['nix-baseline', true]]);
  });
});

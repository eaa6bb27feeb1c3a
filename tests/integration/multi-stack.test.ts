import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { baseEnv, CLI, runCli, spawnCli } from '../support/cli.js';
import { cleanUpFleets, freshFleet, readFleetLog } from '../support/fleet.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { waitFor } from '../support/wait.js';

cleanUpFleets();

const EDGES: Array<[string, string]> = [
  ['a1', 'a2'],
  ['b1', 'b2'],
  ['a2', 'c'],
  ['b2', 'c'],
];

interface StackReport {
  stack: string;
  status: string;
  exitCode: number;
  reason?: string;
  summary?: { add: number };
}
const statuses = (stdout: string) => Object.fromEntries((JSON.parse(stdout).stacks as StackReport[]).map((s) => [s.stack, s.status]));

describe('many stacks: order and parallelism', () => {
  it('applies in dependency order, one at a time, and plans every stack at once', async () => {
    const fleet = await freshFleet();
    const log = path.join(fleet.dir, 'fleet.log');
    const apply = await runCli(['apply', '--all', '--auto-approve', '--json'], { cwd: fleet.dir, env: { ...fleet.env, FLEET_LOG: log, TF_VAR_sleep: '1' } });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(statuses(apply.stdout)).toEqual({ a1: 'applied', b1: 'applied', a2: 'applied', b2: 'applied', c: 'applied' });

    expect(apply.stderr).toContain('note: left out, not deployed in ENV dev: solo');

    // The resources themselves recorded when each apply started and ended.
    const events = readFleetLog(log);
    const at = (stack: string, event: 'start' | 'end') => events.find((e) => e.stack === stack && e.event === event)!.ns;
    for (const [dependency, dependent] of EDGES) expect(at(dependency, 'end') < at(dependent, 'start'), `${dependency} before ${dependent}`).toBe(true);
    // one at a time: each apply starts after the previous one ended
    const byStart = ['a1', 'b1', 'a2', 'b2', 'c'].sort((x, y) => Number(at(x, 'start') - at(y, 'start')));
    for (let i = 1; i < byStart.length; i++) expect(at(byStart[i - 1]!, 'end') < at(byStart[i]!, 'start')).toBe(true);

    // Plans change nothing, so they do not wait for their dependencies' plans: with room for
    // all five, every plan runs at once, and the report still lists them in dependency order.
    const recorder = tofuRecorder({ timing: true });
    const plan = await runCli(['plan', '--all', '--parallelism', '5', '--detailed-exitcode', '--json'], { cwd: fleet.dir, env: { ...fleet.env, TF_VAR_revision: '2', FOUNDATION_TOFU_BIN: recorder.bin } });
    expect(plan.exitCode, plan.stderr).toBe(2);
    const plans = recorder.calls().filter((c) => c.argv[0] === 'plan');
    expect(plans).toHaveLength(5);
    // tofu writes each plan under a temporary name beside <stack>.tfplan, renamed into place once complete
    const planOf = (stack: string) => plans.find((c) => c.argv.some((a) => a.startsWith('-out=') && path.basename(a).startsWith(`.${stack}.tfplan.`)))!;
    for (const [dependency, dependent] of EDGES) {
      expect(planOf(dependent).start < planOf(dependency).end!, `${dependent} planned while ${dependency} did`).toBe(true);
    }
    expect((JSON.parse(plan.stdout).stacks as StackReport[]).map((s) => s.stack)).toEqual(['a1', 'b1', 'a2', 'b2', 'c']);
  });

  it('initializes several stacks with one plugin cache, one init at a time', async () => {
    const fleet = await freshFleet();
    const recorder = tofuRecorder({ timing: true });
    const init = await runCli(['init', '--all', '--json'], { cwd: fleet.dir, env: { ...fleet.env, FOUNDATION_TOFU_BIN: recorder.bin } });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(statuses(init.stdout)).toEqual({ a1: 'initialized', b1: 'initialized', a2: 'initialized', b2: 'initialized', c: 'initialized' });
    const inits = recorder.calls().sort((x, y) => Number(x.start - y.start));
    expect(inits).toHaveLength(5);
    for (let i = 1; i < inits.length; i++) expect(inits[i - 1]!.end! <= inits[i]!.start, 'inits never overlap').toBe(true);
    expect(existsSync(path.join(fleet.dir, '.foundation/plugin-cache'))).toBe(true);
  });
});

describe('aggregate exit codes', () => {
  // a1 is applied first, so it plans no changes; b1 has changes; solo is not deployed in dev
  // (refused); TF_VAR_fail_plan / TF_VAR_fail_apply make a stack fail.
  // Success is 0; only plan --detailed-exitcode says "changes" with 2 (as tofu's flag does).
  const cases: Array<{ command: 'plan' | 'apply'; stacks: string[]; fail?: string; detailed?: boolean; expected: number; statuses: Record<string, string> }> = [
    { command: 'plan', stacks: ['a1'], expected: 0, statuses: { a1: 'no-changes' } },
    { command: 'plan', stacks: ['a1'], detailed: true, expected: 0, statuses: { a1: 'no-changes' } },
    { command: 'plan', stacks: ['a1', 'b1'], expected: 0, statuses: { a1: 'no-changes', b1: 'changes' } },
    { command: 'plan', stacks: ['a1', 'b1'], detailed: true, expected: 2, statuses: { a1: 'no-changes', b1: 'changes' } },
    { command: 'plan', stacks: ['a1', 'solo'], expected: 3, statuses: { a1: 'no-changes', solo: 'refused' } },
    { command: 'plan', stacks: ['a1', 'b1', 'solo'], detailed: true, expected: 3, statuses: { a1: 'no-changes', b1: 'changes', solo: 'refused' } },
    { command: 'plan', stacks: ['a1', 'b1', 'solo'], fail: 'b1', detailed: true, expected: 1, statuses: { a1: 'no-changes', b1: 'failed', solo: 'refused' } },
    { command: 'apply', stacks: ['a1'], expected: 0, statuses: { a1: 'no-changes' } },
    { command: 'apply', stacks: ['a1', 'b1'], expected: 0, statuses: { a1: 'no-changes', b1: 'applied' } },
    { command: 'apply', stacks: ['a1', 'solo'], expected: 3, statuses: { a1: 'no-changes', solo: 'refused' } },
    { command: 'apply', stacks: ['a1', 'b1', 'solo'], expected: 3, statuses: { a1: 'no-changes', b1: 'applied', solo: 'refused' } },
    { command: 'apply', stacks: ['a1', 'b1', 'solo'], fail: 'b1', expected: 1, statuses: { a1: 'no-changes', b1: 'failed', solo: 'refused' } },
  ];

  for (const c of cases) {
    it(`${c.command} ${c.stacks.join(' ')}${c.detailed ? ' --detailed-exitcode' : ''}${c.fail ? ` (${c.fail} fails)` : ''} exits ${c.expected}, with and without --json`, async () => {
      for (const json of [true, false]) {
        const fleet = await freshFleet();
        expect((await runCli(['apply', 'a1', '--auto-approve'], { cwd: fleet.dir, env: fleet.env })).exitCode).toBe(0);
        const failVar = c.command === 'plan' ? 'TF_VAR_fail_plan' : 'TF_VAR_fail_apply';
        const extra = [...(c.command === 'apply' ? ['--auto-approve'] : []), ...(c.detailed ? ['--detailed-exitcode'] : []), ...(json ? ['--json'] : [])];
        const result = await runCli([c.command, ...c.stacks, ...extra], { cwd: fleet.dir, env: { ...fleet.env, ...(c.fail ? { [failVar]: c.fail } : {}) } });
        expect(result.exitCode, result.stderr).toBe(c.expected);
        if (json) {
          expect(JSON.parse(result.stdout).exitCode).toBe(c.expected);
          expect(statuses(result.stdout)).toEqual(c.statuses);
        } else if (c.stacks.length === 1) {
          expect(result.stdout).toContain(`${c.stacks[0]} (ENV dev): no changes`);
        } else {
          for (const [stack, status] of Object.entries(c.statuses)) expect(result.stdout).toMatch(new RegExp(`^${stack} +${status} `, 'm'));
        }
      }
    });
  }

  it('apply in CI of a stack kept operator-driven is refused (exit 3) before any plan', async () => {
    const fleet = await freshFleet();
    const result = await runCli(['apply', 'solo', '--env', 'staging', '--auto-approve', '--json'], { cwd: fleet.dir, env: { ...fleet.env, CI: 'true' } });
    expect(result.exitCode).toBe(3);
    const [solo] = JSON.parse(result.stdout).stacks;
    expect(solo).toMatchObject({ status: 'refused', exitCode: 3, error: { message: 'stack "solo" is applied by an operator, not by CI (apply.allowInCI: false)' } });
    expect(await fleet.s3.keys()).toEqual([]);
  });
});

describe('saved plans', () => {
  it('plan in one job, apply --saved-plans in the next (in CI, without a prompt)', async () => {
    const fleet = await freshFleet();
    const ci = { ...fleet.env, CI: 'true' };
    expect((await runCli(['plan', 'a1', 'a2'], { cwd: fleet.dir, env: ci })).exitCode).toBe(0);
    const apply = await runCli(['apply', 'a1', 'a2', 'b1', '--saved-plans', '--json'], { cwd: fleet.dir, env: ci });
    expect(apply.exitCode).toBe(1);
    const stacks = JSON.parse(apply.stdout).stacks as Array<StackReport & { error?: { message: string } }>;
    expect(statuses(apply.stdout)).toEqual({ a1: 'applied', b1: 'failed', a2: 'applied' });
    expect(stacks.find((s) => s.stack === 'b1')!.error!.message).toBe(`no saved plan for stack "b1" at ${path.join(fleet.dir, '.foundation/plans/dev/b1.tfplan')}`);
    expect(await fleet.s3.keys()).toEqual(['dev/a1/terraform.tfstate', 'dev/a2/terraform.tfstate']);
    // the saved plans were given, not made by this run: they stay
    expect(existsSync(path.join(fleet.dir, '.foundation/plans/dev/a1.tfplan'))).toBe(true);
  });
});

describe('failures', () => {
  it('a failed apply skips its dependents with the reason; the unrelated chain still applies', async () => {
    const fleet = await freshFleet();
    const result = await runCli(['apply', '--all', '--auto-approve', '--json'], { cwd: fleet.dir, env: { ...fleet.env, TF_VAR_fail_apply: 'a1' } });
    expect(result.exitCode).toBe(1);
    const stacks = JSON.parse(result.stdout).stacks as StackReport[];
    expect(statuses(result.stdout)).toEqual({ a1: 'failed', b1: 'applied', a2: 'skipped', b2: 'applied', c: 'skipped' });
    expect(stacks.find((s) => s.stack === 'a2')!.reason).toBe('dependency a1 failed');
    expect(stacks.find((s) => s.stack === 'c')!.reason).toBe('dependency a2 skipped');
    expect(await fleet.s3.keys()).toEqual(['dev/a1/terraform.tfstate', 'dev/b1/terraform.tfstate', 'dev/b2/terraform.tfstate']);
  });

  it('a failed plan: its dependents still plan, marked upstream-failed (exit 1); apply skips them', async () => {
    const fleet = await freshFleet();
    const recorder = tofuRecorder();
    const plan = await runCli(['plan', '--all', '--json'], { cwd: fleet.dir, env: { ...fleet.env, TF_VAR_fail_plan: 'b1', FOUNDATION_TOFU_BIN: recorder.bin } });
    expect(plan.exitCode).toBe(1);
    expect(statuses(plan.stdout)).toEqual({ a1: 'changes', b1: 'failed', a2: 'changes', b2: 'upstream-failed', c: 'upstream-failed' });
    // the downstream plans ran: tofu planned them and their plans are saved, with their counts
    // each plan goes to a temporary .<stack>.tfplan.<random>.tmp, renamed into place once complete
    const planned = recorder.calls().filter((c) => c.argv[0] === 'plan').map((c) => c.argv.find((a) => a.startsWith('-out='))!.replace(/^.*\/\.(\w+)\.tfplan\.[^/]*$/, '$1'));
    expect(planned.sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'c']);
    const stacks = JSON.parse(plan.stdout).stacks as Array<StackReport & { upstreamFailed?: string; planFile?: string }>;
    for (const name of ['b2', 'c']) {
      const stack = stacks.find((s) => s.stack === name)!;
      expect(stack).toMatchObject({ exitCode: 1, upstreamFailed: 'b1', summary: { add: 1 }, reason: 'upstream b1 failed: planned anyway (changes); the plan may be stale' });
      expect(existsSync(stack.planFile!)).toBe(true);
    }
    // without --json: the table marks them, in dependency order
    const table = await runCli(['plan', '--all'], { cwd: fleet.dir, env: { ...fleet.env, TF_VAR_fail_plan: 'b1' } });
    expect(table.exitCode).toBe(1);
    expect(table.stdout.split('\n').filter((l) => /^(a1|b1|a2|b2|c) +[a-z]/.test(l)).map((l) => l.split(/ +/).slice(0, 2).join(' '))).toEqual([
      'a1 changes',
      'b1 failed',
      'a2 changes',
      'b2 upstream-failed',
      'c upstream-failed',
    ]);
    expect(table.stdout).toMatch(/^c +upstream-failed +1 +0 +0 +\d+\.\ds +upstream b1 failed: planned anyway \(changes\); the plan may be stale$/m);

    const apply = await runCli(['apply', '--all', '--auto-approve', '--json'], { cwd: fleet.dir, env: { ...fleet.env, TF_VAR_fail_plan: 'b1' } });
    expect(statuses(apply.stdout)).toEqual({ a1: 'applied', b1: 'failed', a2: 'applied', b2: 'skipped', c: 'skipped' });
  });

  it('--fail-fast stops everything after the first failure', async () => {
    const fleet = await freshFleet();
    const result = await runCli(['apply', '--all', '--auto-approve', '--fail-fast', '--json'], { cwd: fleet.dir, env: { ...fleet.env, TF_VAR_fail_apply: 'a1' } });
    expect(result.exitCode).toBe(1);
    const stacks = JSON.parse(result.stdout).stacks as StackReport[];
    expect(statuses(result.stdout)).toEqual({ a1: 'failed', b1: 'skipped', a2: 'skipped', b2: 'skipped', c: 'skipped' });
    expect(stacks.find((s) => s.stack === 'b1')!.reason).toBe('not started: --fail-fast after a1 failed');
    expect(await fleet.s3.keys()).toEqual(['dev/a1/terraform.tfstate']);
  });

  it('a dependency cycle and an unknown dependency are one-line errors', async () => {
    const fleet = await freshFleet();
    const a1 = path.join(fleet.dir, 'stacks/a1/stack.yaml');
    writeFileSync(a1, readFileSync(a1, 'utf8').replace('namespaces: [a1]', 'namespaces: [a1]\ndependsOn: [c]'));
    const cycle = await runCli(['plan', '--all'], { cwd: fleet.dir, env: fleet.env });
    expect(cycle.exitCode).toBe(1);
    expect(cycle.stderr).toMatch(/^error: dependency cycle: a1 -> c -> a2 -> a1\nhint: remove one of these dependsOn entries \(stacks\/a1\/stack\.yaml, stacks\/c\/stack\.yaml, stacks\/a2\/stack\.yaml\)\n$/);

    writeFileSync(a1, readFileSync(a1, 'utf8').replace('dependsOn: [c]', 'dependsOn: [zz]'));
    const unknown = await runCli(['graph'], { cwd: fleet.dir, env: fleet.env });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toMatch(/^error: stacks\/a1\/stack\.yaml: field "dependsOn\.0": unknown stack "zz"\nhint: known stacks: a1, a2, b1, b2, c, solo\n$/);
  });
});

describe('output', () => {
  it('without a terminal, each stack\'s output is one unbroken block and the summary table is last', async () => {
    const fleet = await freshFleet();
    const result = await runCli(['plan', 'a1', 'b1', '--parallelism', '2'], { cwd: fleet.dir, env: fleet.env });
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const stack of ['a1', 'b1']) {
      const indexes = lines.flatMap((line, i) => (line.startsWith(`${stack} | `) ? [i] : []));
      expect(indexes.length).toBeGreaterThan(10);
      expect(indexes.at(-1)! - indexes[0]! + 1, `${stack} block is contiguous`).toBe(indexes.length);
      expect(lines[indexes[0]!]).toBe(`${stack} | == ${stack} (plan): changes`);
      expect(lines.filter((l) => l.startsWith(`${stack} | `)).join('\n')).toContain(`module.step.terraform_data.step will be created`);
    }
    expect(lines.slice(-5)).toEqual([
      'foundation plan (ENV dev): exit 0',
      expect.stringMatching(/^STACK +RESULT +ADD +CHANGE +DESTROY +DURATION +DETAIL$/),
      expect.stringMatching(/^a1 +changes +1 +0 +0 +\d+\.\ds$/),
      expect.stringMatching(/^b1 +changes +1 +0 +0 +\d+\.\ds$/),
      'next: foundation apply a1 b1 --saved-plans',
    ]);
  });

  it('in GitHub Actions each stack is a ::group:: section', async () => {
    const fleet = await freshFleet();
    const result = await runCli(['plan', 'a1', 'b1'], { cwd: fleet.dir, env: { ...fleet.env, GITHUB_ACTIONS: 'true' } });
    expect(result.stdout).toMatch(/^::group::a1 \(plan\): changes\n[\s\S]*?module\.step\.terraform_data\.step will be created[\s\S]*?\n::endgroup::\n/m);
    expect(result.stdout).toMatch(/^::group::b1 \(plan\): changes\n/m);
  });
});

describe('reports', () => {
  it('--report-file and GITHUB_STEP_SUMMARY hold the run', async () => {
    const fleet = await freshFleet();
    const summary = path.join(mkdtempSync(path.join(tmpdir(), 'foundation-gh-')), 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const result = await runCli(['plan', 'a1', 'solo', '--report-file', 'out/report.json'], { cwd: fleet.dir, env: { ...fleet.env, GITHUB_STEP_SUMMARY: summary } });
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(readFileSync(path.join(fleet.dir, 'out/report.json'), 'utf8'));
    expect(report).toMatchObject({ command: 'plan', env: 'dev', exitCode: 3 });
    expect(report.stacks[0]).toMatchObject({ stack: 'a1', status: 'changes', exitCode: 0, summary: { add: 1, change: 0, destroy: 0 }, planFile: path.join(fleet.dir, '.foundation/plans/dev/a1.tfplan') });
    expect(report.stacks[0].durationMs).toBeGreaterThan(0);
    expect(report.stacks[1]).toMatchObject({ stack: 'solo', status: 'refused', exitCode: 3, error: { message: 'stack "solo" is not deployed in ENV dev', hint: 'stacks/solo/stack.yaml lists environments: staging' } });

    const markdown = readFileSync(summary, 'utf8');
    expect(markdown.startsWith('# earlier step\n### foundation plan (ENV dev): exit 3\n')).toBe(true);
    expect(markdown).toContain('| stack | result | add | change | destroy | duration | detail |');
    expect(markdown).toMatch(/^\| a1 \| changes \| 1 \| 0 \| 0 \| \d+\.\ds \|  \|$/m);
    expect(markdown).toContain('| solo | refused | - | - | - | - | stack "solo" is not deployed in ENV dev |');
  });
});

describe('interrupts', () => {
  it('SIGTERM during apply --all: the running apply stops gracefully, no new stack starts, no lock is left', async () => {
    const fleet = await freshFleet();
    const log = path.join(fleet.dir, 'fleet.log');
    writeFileSync(log, '');
    const child = spawnCli(['apply', '--all', '--auto-approve', '--report-file', 'report.json'], { cwd: fleet.dir, env: { ...fleet.env, FLEET_LOG: log, TF_VAR_sleep: '30' } });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => readFileSync(log, 'utf8').includes('a1 start'), 'the first apply to start');
    expect(await fleet.s3.keys()).toContain('dev/a1/terraform.tfstate.tflock');
    process.kill(child.pid!, 'SIGTERM'); // not execa's kill(): it SIGKILLs 5 s later
    const result = await child;

    expect(result.exitCode).toBe(1);
    expect(readFleetLog(log).map((e) => `${e.stack} ${e.event}`)).toEqual(['a1 start']);
    expect((await fleet.s3.keys()).filter((k) => k.endsWith('.tflock'))).toEqual([]);
    const report = JSON.parse(readFileSync(path.join(fleet.dir, 'report.json'), 'utf8'));
    expect(report.exitCode).toBe(1);
    expect(Object.fromEntries(report.stacks.map((s: StackReport) => [s.stack, s.status]))).toEqual({ a1: 'interrupted', b1: 'not-started', a2: 'not-started', b2: 'not-started', c: 'not-started' });
    expect(report.stacks[1].reason).toBe('not started: interrupted by SIGTERM');
    expect(output).toContain('a1 | Interrupt received.');
  });
});

describe('output in a terminal', () => {
  it('shows a live task list, then each stack\'s output as one block, then the summary', async () => {
    const fleet = await freshFleet();
    // `script` gives the CLI a real pseudo-terminal; stty sets a width, as a terminal window would.
    const command = `stty cols 150 rows 50; exec ${process.execPath} ${CLI} plan a1 b1 a2 --parallelism 2`;
    const result = await execa('script', ['-qefc', command, '/dev/null'], { cwd: fleet.dir, env: baseEnv(fleet.env), extendEnv: false, reject: false });
    const screen = String(result.stdout).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
    expect(result.exitCode, screen).toBe(0);
    // the task list: a2 waited for a free slot (a plan does not wait for its dependencies' plans), and every stack ended with its counts
    expect(screen).toMatch(/a2: waiting for a free slot/);
    for (const stack of ['a1', 'b1', 'a2']) expect(screen).toMatch(new RegExp(`✔ ${stack}: \\+1 ~0 -0`));
    // the blocks come whole, after the list
    const lastListLine = screen.lastIndexOf('✔ ');
    for (const stack of ['a1', 'b1', 'a2']) {
      const header = screen.indexOf(`── ${stack} (plan): changes ──`);
      expect(header, `${stack} block`).toBeGreaterThan(lastListLine);
      expect(screen.slice(header)).toContain('module.step.terraform_data.step will be created');
    }
    const tail = screen.trimEnd().split('\n').filter((l) => l.trim()).slice(-6);
    expect(tail[0]).toBe('foundation plan (ENV dev): exit 0');
    expect(tail[5]).toBe('next: foundation apply a1 b1 a2 --saved-plans');
  });
});

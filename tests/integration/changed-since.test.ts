import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanUpFleets, freshFleet } from '../support/fleet.js';

cleanUpFleets();

async function git(dir: string, ...args: string[]) {
  await execa('git', ['-c', 'user.email=test@example.invalid', '-c', 'user.name=test', '-c', 'init.defaultBranch=main', ...args], { cwd: dir });
}

describe('--changed-since selects changed stacks and their dependents', () => {
  it('maps changed files to stacks through their folder, root and watch globs', async () => {
    const fleet = await freshFleet();
    const { dir, env } = fleet;
    await git(dir, 'init', '-q');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-qm', 'base');
    await git(dir, 'branch', 'base');
    const changed = async () => {
      const result = await runCli(['stacks', '--json', '--changed-since', 'base'], { cwd: dir, env });
      expect(result.exitCode, result.stderr).toBe(0);
      return JSON.parse(result.stdout).stacks.map((s: { name: string }) => s.name);
    };

    expect(await changed()).toEqual([]);

    // committed change in b1's folder: b1 and everything downstream of it
    writeFileSync(path.join(dir, 'stacks/b1/notes.md'), 'b1 notes\n');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-qm', 'b1');
    expect(await changed()).toEqual(['b1', 'b2', 'c']);

    // an uncommitted edit in a2's root adds a2 (c is there already)
    appendFileSync(path.join(dir, 'stacks/a2/stack.yaml'), '# tweak\n');
    expect(await changed()).toEqual(['b1', 'a2', 'b2', 'c']);

    const plan = await runCli(['plan', '--changed-since', 'base', '--detailed-exitcode', '--json'], { cwd: dir, env });
    expect(plan.exitCode, plan.stderr).toBe(2);
    expect(JSON.parse(plan.stdout).stacks.map((s: { stack: string }) => s.stack)).toEqual(['b1', 'a2', 'b2', 'c']);

    const matrix = await runCli(['stacks', '--json', '--matrix', '--changed-since', 'base', '--exclude', 'c'], { cwd: dir, env });
    expect(JSON.parse(matrix.stdout)).toEqual({
      include: [
        { stack: 'b1', dependsOn: '', stateKey: 'dev/b1/terraform.tfstate' },
        { stack: 'a2', dependsOn: 'a1', stateKey: 'dev/a2/terraform.tfstate' },
        { stack: 'b2', dependsOn: 'b1', stateKey: 'dev/b2/terraform.tfstate' },
      ],
    });
  });

  it('a watch glob outside the stack folders selects only its stack; untracked files count', async () => {
    const { dir, env } = await freshFleet();
    await git(dir, 'init', '-q');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-qm', 'base');
    appendFileSync(path.join(dir, 'shared/settings.yaml'), 'y: 2\n');
    let result = await runCli(['stacks', '--json', '--changed-since', 'HEAD'], { cwd: dir, env });
    expect(JSON.parse(result.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(['c']);

    writeFileSync(path.join(dir, 'stacks/a1/new.tf'), '# new\n');
    result = await runCli(['stacks', '--json', '--changed-since', 'HEAD'], { cwd: dir, env });
    expect(JSON.parse(result.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(['a1', 'a2', 'c']);
  });

  it('an unknown ref is a one-line error', async () => {
    const { dir, env } = await freshFleet();
    await git(dir, 'init', '-q');
    const result = await runCli(['plan', '--changed-since', 'origin/nope'], { cwd: dir, env });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: --changed-since: unknown git ref "origin\/nope"\nhint: fetch it first/);
  });
});

describe('stack filters', () => {
  it('--only and --exclude take names and globs; one that matches nothing is an error', async () => {
    const { dir, env } = await freshFleet();
    const names = async (...args: string[]) => JSON.parse((await runCli(['stacks', '--json', ...args], { cwd: dir, env })).stdout).stacks.map((s: { name: string }) => s.name);
    expect(await names('--only', 'a*')).toEqual(['a1', 'a2']);
    expect(await names('--only', 'a*,b1')).toEqual(['a1', 'b1', 'a2']);
    expect(await names('--exclude', '?2', '--exclude', 'c')).toEqual(['a1', 'b1']);
    const none = await runCli(['plan', '--only', 'zz*'], { cwd: dir, env });
    expect(none.stderr).toMatch(/^error: --only "zz\*" matches no stack\n/);
  });

  it('graph --json and --dot', async () => {
    const { dir, env } = await freshFleet();
    const graph = JSON.parse((await runCli(['graph', '--json'], { cwd: dir, env })).stdout);
    expect(graph.order).toEqual(['a1', 'b1', 'solo', 'a2', 'b2', 'c']);
    expect(graph.stacks.find((s: { name: string }) => s.name === 'c')).toEqual({ name: 'c', level: 2, dependsOn: ['a2', 'b2'], dependents: [] });
    const dot = (await runCli(['graph', '--dot'], { cwd: dir, env })).stdout;
    expect(dot).toContain('  "a2" -> "c";\n');
    expect(dot.startsWith('digraph foundation {')).toBe(true);
  });
});

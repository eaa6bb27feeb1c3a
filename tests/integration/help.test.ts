import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { copyFixture, removeFixtures } from '../support/project.js';

afterAll(removeFixtures);

describe('help and small things', () => {
  const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it('-V and --version print the version', async () => {
    for (const flag of ['-V', '--version']) expect((await runCli([flag], { cwd: REPO_ROOT })).stdout).toBe(`${version}\n`);
  });

  it('every command\'s help lists the global options and its exit codes', async () => {
    const commands = [
      ['stacks'], ['graph'], ['state', 'key'], ['state', 'lock'], ['state', 'unlock'], ['state', 'versions'], ['state', 'pull'], ['state', 'restore'],
      ['state', 'migrate'], ['backend', 'materialize'], ['init'], ['apply'], ['drain'], ['doctor'], ['roadmap'],
      ['cluster', 'config'], ['cluster', 'apply'], ['cluster', 'bootstrap'], ['cluster', 'health'], ['cluster', 'kubeconfig'], ['cluster', 'status'],
      ['completion'], ['version'],
    ];
    for (const command of commands) {
      const help = await runCli([...command, '--help'], { cwd: REPO_ROOT });
      expect(help.exitCode).toBe(0);
      expect(help.stdout, command.join(' ')).toMatch(/Global Options:[\s\S]*--env <name>[\s\S]*--context <name>/);
      expect(help.stdout, command.join(' ')).toContain('Exit codes: 0 success, 1 error (bad input, tofu failed, interrupted), 3 refused by a guard.');
    }
    const plan = await runCli(['plan', '--help'], { cwd: REPO_ROOT });
    expect(plan.stdout).toContain('--detailed-exitcode');
    expect(plan.stdout).toContain('Exit codes: 0 success, 2 changes or drift (only with --detailed-exitcode; without it they exit 0), 1 error, 3 refused by a guard.');
    expect(plan.stdout).toMatch(/Global Options:[\s\S]*--env <name>/);
    const drift = await runCli(['drift', '--help'], { cwd: REPO_ROOT });
    expect(drift.stdout).toContain('Exit codes: 0 success, 2 changes or drift (only with --detailed-exitcode; without it they exit 0), 1 error, 3 refused by a guard.');
    for (const tool of ['kubectl', 'talosctl']) {
      const help = await runCli([tool, '--help'], { cwd: REPO_ROOT });
      expect(help.stdout.replace(/\s+/g, ' ')).toContain(`Exit codes: ${tool}'s own; 1 when foundation cannot start it (bad input), 3 when an argument would aim it elsewhere.`);
    }
  });

  it('--drain-timeout shows its format', async () => {
    for (const command of ['apply', 'drain']) {
      const help = (await runCli([command, '--help'], { cwd: REPO_ROOT })).stdout.replace(/\s+/g, ' ');
      expect(help).toContain('--drain-timeout <duration> how long to wait for busy');
      expect(help).toContain('a whole number with ms, s, m or h, e.g. 90s, 30m, 1h');
    }
  });

  it('stacks --all is accepted, like elsewhere', async () => {
    const dir = copyFixture('basic');
    const all = await runCli(['stacks', '--all', '--json'], { cwd: dir });
    expect(all.exitCode, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(['hello', 'hollow', 'sleeper']);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { copyFixture, removeFixtures } from '../support/project.js';

afterAll(removeFixtures);

describe('the repository\'s own stack catalog', () => {
  it('prints the deployment contract\'s four dev state keys exactly', async () => {
    const expected: Record<string, string> = {
      attic: 'attic/terraform.tfstate',
      'arc-runners': 'arc-runners/terraform.tfstate',
      'gitlab-runners': 'tinyland-infra/gitlab-runners/terraform.tfstate',
      'runner-dashboard': 'tinyland-infra/runner-dashboard/terraform.tfstate',
    };
    for (const [stack, key] of Object.entries(expected)) {
      const result = await runCli(['state', 'key', stack], { cwd: REPO_ROOT, env: { ENV: 'dev' } });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toBe(`${key}\n`);
    }
  });

  it('lists the stacks in the contract\'s dependency order with namespaces and context', async () => {
    const result = await runCli(['stacks', '--json', '--env', 'dev'], { cwd: REPO_ROOT });
    expect(result.exitCode, result.stderr).toBe(0);
    const { env, stacks } = JSON.parse(result.stdout);
    expect(env).toBe('dev');
    expect(stacks.map((s: { name: string }) => s.name)).toEqual(['arc-runners', 'attic', 'gitlab-runners', 'runner-dashboard']);
    expect(stacks[0]).toEqual({
      name: 'arc-runners',
      description: 'ARC controller plus GitHub runner scale sets',
      namespaces: ['arc-systems', 'arc-runners'],
      dependsOn: [],
      stateKey: 'arc-runners/terraform.tfstate',
      kubeContext: 'honey',
      varFiles: [],
      root: 'tofu/stacks/arc-runners',
      rootExists: false,
    });
    expect(stacks[1].namespaces).toEqual(['nix-cache', 'cnpg-system']);
  });

  it('the kube context: --context, then KUBE_CONTEXT, then foundation.yaml', async () => {
    const list = async (args: string[], env: Record<string, string> = {}) =>
      JSON.parse((await runCli(['stacks', '--json', '--env', 'dev', ...args], { cwd: REPO_ROOT, env })).stdout).stacks[0].kubeContext;
    expect(await list([])).toBe('honey');
    expect(await list([], { KUBE_CONTEXT: 'from-env' })).toBe('from-env');
    expect(await list(['--context', 'from-flag'], { KUBE_CONTEXT: 'from-env' })).toBe('from-flag');
  });

  it('lists without an ENV, resolving no keys', async () => {
    const result = await runCli(['stacks'], { cwd: REPO_ROOT });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('no ENV selected: set ENV or pass --env to resolve state keys and kube contexts');
    expect(result.stdout).toMatch(/^1 +arc-runners +arc-systems,arc-runners +- +- +- +tofu\/stacks\/arc-runners \(missing\)$/m);
  });
});

describe('state keys for other environments', () => {
  it('uses the key template, with {env} and {stack} filled in', async () => {
    const dir = copyFixture('basic');
    const result = await runCli(['state', 'key', 'sleeper', '--env', 'staging'], { cwd: dir });
    expect(result.stdout).toBe('staging/sleeper/terraform.tfstate\n');
  });

  it('an explicit key wins over the template', async () => {
    const dir = copyFixture('basic');
    const result = await runCli(['state', 'key', 'hello', '--env', 'dev'], { cwd: dir });
    expect(result.stdout).toBe('fixtures/hello/terraform.tfstate\n');
  });

  it('a per-ENV map naming an undefined environment is an error naming file and field', async () => {
    const dir = copyFixture('basic');
    const file = path.join(dir, 'stacks/sleeper/stack.yaml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}kubeContext:\n  prd: other\n`);
    const result = await runCli(['stacks'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/^error: stacks\/sleeper\/stack\.yaml: field "kubeContext\.prd": unknown environment "prd"\nhint: environments defined in foundation\.yaml: dev, staging\n$/);
  });
});

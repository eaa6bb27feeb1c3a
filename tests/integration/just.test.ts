import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { baseEnv, REPO_ROOT, runCli } from '../support/cli.js';
import { useS3Project, type S3Project } from '../support/s3.js';

const JUST = path.join(REPO_ROOT, 'node_modules', '.bin', 'just');

/** The real `just` (npm package rust-just) running the repository's justfile in the project, without a terminal. */
function runJust(project: S3Project, args: string[], extra: Record<string, string>) {
  return execa(JUST, ['--justfile', path.join(REPO_ROOT, 'justfile'), '--working-directory', project.dir, ...args], {
    env: baseEnv({ ...project.env, ...extra }),
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });
}

// The real `just` (npm package rust-just) running the repository's justfile.
describe('justfile recipes delegate to foundation', () => {
  const project = useS3Project();

  const just = (args: string[], extra: Record<string, string> = {}) => runJust(project, args, extra);

  it('just tofu-plan <stack> runs foundation plan <stack>; a plan with changes succeeds', async () => {
    const result = await just(['tofu-plan', 'hello']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/error: recipe/i);
    expect(result.stdout).toContain('terraform_data.greeting will be created');
    expect(result.stdout).toContain('hello (ENV dev): 2 to add, 0 to change, 0 to destroy, 1 output changed; plan saved to .foundation/plans/dev/hello.tfplan');
  });

  it('extra arguments pass through, and errors keep foundation\'s exit code', async () => {
    const json = await just(['tofu-plan', 'hello', '--json']);
    expect(JSON.parse(json.stdout).stacks[0].summary.add).toBe(2);
    const unknown = await just(['tofu-init', 'helo']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('error: unknown stack "helo" (did you mean "hello"?)');
  });

  it('the other contract recipes', async () => {
    const materialize = await just(['tofu-backend-materialize-s3', 'hello']);
    expect(materialize.stdout).toContain('hello: modules/hello/backend.s3.tfbackend');
    const init = await just(['tofu-init', 'hello']);
    expect(init.exitCode, init.stderr).toBe(0);
    const stacks = await just(['stacks', '--json']);
    expect(JSON.parse(stacks.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(['hello', 'hollow', 'sleeper']);
  });
});

// Every exit-code rule, through just (which fails a recipe on any non-zero exit and says so
// on stderr) and straight from the CLI in a CI-like run: CI=true, no terminal.
describe('exit codes: 0 success, 1 error, 3 refused, 2 only with plan --detailed-exitcode', () => {
  const project = useS3Project();

  const viaJust = (args: string[], extra: Record<string, string> = {}) => runJust(project, args, extra);
  const inCI = (args: string[]) => runCli(args, { cwd: project.dir, env: { ...project.env, CI: 'true' } });

  /** just's own verdict: silent on success, "recipe `x` failed on line L with exit code N" otherwise. */
  function expectJust(result: { exitCode?: number; stderr: unknown }, recipe: string, code: number) {
    expect(result.exitCode, String(result.stderr)).toBe(code);
    if (code === 0) expect(String(result.stderr)).not.toMatch(/error: recipe/i);
    else expect(String(result.stderr)).toMatch(new RegExp(`^error: recipe \`${recipe}\` failed on line \\d+ with exit code ${code}$`, 'm'));
  }

  it('a stack with changes: plan 0, plan --detailed-exitcode 2, apply 0, then plan --detailed-exitcode 0', async () => {
    expectJust(await viaJust(['tofu-plan', 'hello']), 'tofu-plan', 0);
    expect((await inCI(['plan', 'hello'])).exitCode).toBe(0);
    expectJust(await viaJust(['tofu-plan', 'hello', '--detailed-exitcode']), 'tofu-plan', 2);
    const ciDetailed = await inCI(['plan', 'hello', '--detailed-exitcode', '--json']);
    expect(ciDetailed.exitCode).toBe(2);
    expect(JSON.parse(ciDetailed.stdout)).toMatchObject({ exitCode: 2, stacks: [{ status: 'changes', exitCode: 2 }] });

    const applied = await viaJust(['tofu-apply', 'hello', '--auto-approve']);
    expectJust(applied, 'tofu-apply', 0);
    expect(applied.stdout).toContain('hello (ENV dev): applied: 2 to add');
    const again = await inCI(['apply', 'hello', '--env', 'staging', '--auto-approve', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ exitCode: 0, stacks: [{ status: 'applied', exitCode: 0 }] });

    expectJust(await viaJust(['tofu-plan', 'hello', '--detailed-exitcode']), 'tofu-plan', 0);
    expect((await inCI(['plan', 'hello', '--detailed-exitcode'])).exitCode).toBe(0);
  });

  it('an error is 1', async () => {
    expectJust(await viaJust(['tofu-plan', 'helo']), 'tofu-plan', 1);
    expect((await inCI(['plan', 'helo'])).exitCode).toBe(1);
    expect((await inCI(['apply', 'hello'])).exitCode).toBe(1); // no terminal to confirm in
  });

  it('a guard that refuses is 3', async () => {
    expectJust(await viaJust(['tofu-apply', 'hello', '--auto-approve', '--skip-drain'], { CI: 'true' }), 'tofu-apply', 3);
    expect((await inCI(['apply', 'hello', '--auto-approve', '--skip-drain'])).exitCode).toBe(3);
  });
});

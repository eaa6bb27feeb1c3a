import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { baseEnv, REPO_ROOT } from '../support/cli.js';
import { useS3Project } from '../support/s3.js';

const JUST = path.join(REPO_ROOT, 'node_modules', '.bin', 'just');

// The real `just` (npm package rust-just) running the repository's justfile.
describe('justfile recipes delegate to foundation', () => {
  const project = useS3Project();

  const just = (...args: string[]) =>
    execa(JUST, ['--justfile', path.join(REPO_ROOT, 'justfile'), '--working-directory', project.dir, ...args], {
      env: baseEnv(project.env),
      extendEnv: false,
      reject: false,
    });

  it('just tofu-plan <stack> runs foundation plan <stack>', async () => {
    const result = await just('tofu-plan', 'hello');
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stdout).toContain('terraform_data.greeting will be created');
    expect(result.stdout).toContain('hello (ENV dev): 2 to add, 0 to change, 0 to destroy, 1 output changed; plan saved to .foundation/plans/dev/hello.tfplan');
  });

  it('extra arguments pass through, and errors keep foundation\'s exit code', async () => {
    const json = await just('tofu-plan', 'hello', '--json');
    expect(JSON.parse(json.stdout).stacks[0].summary.add).toBe(2);
    const unknown = await just('tofu-init', 'helo');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('error: unknown stack "helo" (did you mean "hello"?)');
  });

  it('the other contract recipes', async () => {
    const materialize = await just('tofu-backend-materialize-s3', 'hello');
    expect(materialize.stdout).toContain('hello: modules/hello/backend.s3.tfbackend');
    const init = await just('tofu-init', 'hello');
    expect(init.exitCode, init.stderr).toBe(0);
    const stacks = await just('stacks', '--json');
    expect(JSON.parse(stacks.stdout).stacks.map((s: { name: string }) => s.name)).toEqual(['hello', 'hollow', 'sleeper']);
    const apply = await just('tofu-apply', 'hello', '--auto-approve');
    expect(apply.exitCode, apply.stderr).toBe(2);
  });
});

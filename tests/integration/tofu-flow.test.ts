import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { useS3Project } from '../support/s3.js';

// init, plan, apply, plan against a real S3-compatible server with the real tofu/terraform.
describe('init / plan / apply against a local S3 server', () => {
  const project = useS3Project();

  it('initializes, then skips init while the backend settings are unchanged', async () => {
    const fresh = await runCli(['init', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(fresh.stdout).toMatch(/^sleeper \(ENV dev\): initialized$/m); // not "initialized (not initialized)"
    const first = await runCli(['init', 'hello', '--json'], { cwd: project.dir, env: project.env });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).stacks[0].init).toEqual({ ran: true, reason: 'not initialized' });
    expect(readFileSync(path.join(project.dir, 'modules/hello/backend.foundation.tf'), 'utf8')).toContain('backend "s3" {}');

    const second = await runCli(['init', 'hello', '--json'], { cwd: project.dir, env: project.env });
    expect(JSON.parse(second.stdout).stacks[0].init.ran).toBe(false);

    const forced = await runCli(['init', 'hello', '--force', '--json'], { cwd: project.dir, env: project.env });
    expect(JSON.parse(forced.stdout).stacks[0].init).toEqual({ ran: true, reason: 'forced' });
  });

  it('re-initializes when a backend setting changes', async () => {
    const other = await runCli(['init', 'hello', '--env', 'staging', '--json'], { cwd: project.dir, env: project.env });
    expect(other.exitCode, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout).stacks[0].init).toEqual({ ran: true, reason: 'backend setting "key" changed' });
    const back = await runCli(['init', 'hello'], { cwd: project.dir, env: project.env }); // back to dev for the tests below
    expect(back.stdout).toMatch(/^hello \(ENV dev\): initialized again \(backend setting "key" changed\)$/m);
  });

  it('plans changes (exit 0; 2 with --detailed-exitcode) into a 0600 plan file with the right counts', async () => {
    const plain = await runCli(['plan', 'hello'], { cwd: project.dir, env: project.env });
    expect(plain.exitCode, plain.stderr).toBe(0);
    // foundation's own next step, not tofu's "terraform apply" (TF_IN_AUTOMATION)
    expect(plain.stdout).toContain('next: foundation apply hello --plan .foundation/plans/dev/hello.tfplan\n');
    expect(plain.stdout).not.toMatch(/To perform exactly these actions|terraform apply|tofu apply/);
    const plan = await runCli(['plan', 'hello', '--detailed-exitcode', '--json'], { cwd: project.dir, env: project.env });
    expect(plan.exitCode, plan.stderr).toBe(2);
    const report = JSON.parse(plan.stdout);
    expect(report).toMatchObject({ command: 'plan', env: 'dev', exitCode: 2 });
    expect(report.stacks[0]).toMatchObject({
      stack: 'hello',
      status: 'changes',
      exitCode: 2,
      summary: { add: 2, change: 0, destroy: 0, replace: 0, import: 0, forget: 0, outputChanges: 1 },
    });
    const planFile = report.stacks[0].planFile as string;
    expect(planFile).toBe(path.join(project.dir, '.foundation/plans/dev/hello.tfplan'));
    expect(statSync(planFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(planFile)).mode & 0o777).toBe(0o700);
    // tofu's own output went to stderr, so stdout stayed one JSON document
    expect(plan.stderr).toContain('terraform_data.greeting will be created');
  });

  it('applies the saved plan and stores the state at the key "state key" prints', async () => {
    const key = await runCli(['state', 'key', 'hello'], { cwd: project.dir, env: project.env });
    expect(key.stdout).toBe('fixtures/hello/terraform.tfstate\n');

    const apply = await runCli(['apply', 'hello', '--plan', '.foundation/plans/dev/hello.tfplan'], { cwd: project.dir, env: project.env });
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('hello (ENV dev): applied: 2 to add, 0 to change, 0 to destroy');

    expect(await project.s3.keys()).toContain(key.stdout.trim());
    const state = JSON.parse(await project.s3.read(key.stdout.trim()));
    expect(state.resources.map((r: { name: string }) => r.name).sort()).toEqual(['greeting', 'second']);
    expect(state.outputs.greeting.value).toBe('hello from dev');
    // the lock object is gone once tofu exits
    expect(await project.s3.keys()).not.toContain(`${key.stdout.trim()}.tflock`);
  });

  it('plans no changes (exit 0, also with --detailed-exitcode) after the apply', async () => {
    const plan = await runCli(['plan', 'hello', '--detailed-exitcode'], { cwd: project.dir, env: project.env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('hello (ENV dev): no changes');
    expect(plan.stdout).not.toContain('next:');
  });

  it('apply --auto-approve plans and applies, and a no-change apply exits 0', async () => {
    const template = await runCli(['apply', 'hello', '--env', 'staging', '--auto-approve', '--json'], { cwd: project.dir, env: project.env });
    expect(template.exitCode, template.stderr).toBe(0);
    expect(JSON.parse(template.stdout).stacks[0]).toMatchObject({ status: 'applied', summary: { add: 2 } });
    expect(await project.s3.keys()).toContain('staging/hello/terraform.tfstate');
    expect(existsSync(path.join(project.dir, '.foundation/plans/staging/hello.tfplan'))).toBe(false);

    const again = await runCli(['apply', 'hello', '--env', 'staging', '--auto-approve', '--json'], { cwd: project.dir, env: project.env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).stacks[0].status).toBe('no-changes');
  });

  it('refuses apply without a plan or --auto-approve when there is no terminal', async () => {
    const apply = await runCli(['apply', 'hello'], { cwd: project.dir, env: { ...project.env, CI: 'true' } });
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toMatch(/^error: apply needs --plan <file>, --saved-plans or --auto-approve when there is no terminal to confirm in\nhint: /);
  });

  it('--out writes the plan where asked', async () => {
    const plan = await runCli(['plan', 'hello', '--out', 'custom.tfplan', '--json'], { cwd: project.dir, env: project.env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).stacks[0].planFile).toBe(path.join(project.dir, 'custom.tfplan'));
    expect(statSync(path.join(project.dir, 'custom.tfplan')).mode & 0o777).toBe(0o600);
  });
});

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTofuBinary } from '../../src/tofu/binary.js';
import { summarizePlan } from '../../src/tofu/plan-summary.js';
import { baseEnv, runCli } from '../support/cli.js';
import { copyFixture, removeFixtures } from '../support/project.js';
import { startLocalS3, useS3Project, type LocalS3 } from '../support/s3.js';
import { tofuRecorder } from '../support/tofu-recorder.js';

// What one `foundation plan` costs in tofu processes, and the S3 probe it skips.
describe('one tofu process per plan', () => {
  let s3: LocalS3;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    s3 = await startLocalS3();
    dir = copyFixture('basic');
    env = { ...s3.env, ENV: 'dev' };
  });
  afterAll(async () => {
    await s3.stop();
    removeFixtures();
  });

  it('the first plan runs init and plan; once initialized, a plan is exactly one tofu process', async () => {
    const first = tofuRecorder();
    const fresh = await runCli(['plan', 'hello', '--detailed-exitcode'], { cwd: dir, env: { ...env, FOUNDATION_TOFU_BIN: first.bin } });
    expect(fresh.exitCode, fresh.stderr).toBe(2);
    expect(first.calls().map((c) => c.argv[0])).toEqual(['init', 'plan']);

    const recorder = tofuRecorder();
    const plan = await runCli(['plan', 'hello', '--detailed-exitcode'], { cwd: dir, env: { ...env, FOUNDATION_TOFU_BIN: recorder.bin } });
    expect(plan.exitCode, plan.stderr).toBe(2);
    const calls = recorder.calls();
    expect(calls, 'tofu child processes').toHaveLength(1);
    expect(calls[0]!.argv[0]).toBe('plan');
    // The operator still reads tofu's own human plan, then foundation's summary line.
    expect(plan.stdout).toContain('# terraform_data.greeting will be created');
    expect(plan.stdout).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(plan.stdout).toContain('Changes to Outputs:');
    expect(plan.stdout).toMatch(/^hello \(ENV dev\): 2 to add, 0 to change, 0 to destroy, 1 output changed; plan saved to \.foundation\/plans\/dev\/hello\.tfplan$/m);
  });

  it('the counts it reports are the ones show -json gives for the saved plan', async () => {
    const plan = await runCli(['plan', 'hello', '--json', '--detailed-exitcode'], { cwd: dir, env: { ...env, TF_VAR_greeting: 'changed' } });
    expect(plan.exitCode, plan.stderr).toBe(2);
    const [stack] = JSON.parse(plan.stdout).stacks;
    const shown = await execa(findTofuBinary().path, ['show', '-json', '-no-color', stack.planFile], { cwd: `${dir}/modules/hello`, env: baseEnv(s3.env), reject: false });
    expect(shown.exitCode, String(shown.stderr)).toBe(0);
    expect(stack.summary).toEqual(summarizePlan(String(shown.stdout)));
  });

  it('skips the bucket probe on an initialized stack: a backend gone away is still one clear line, from tofu', async () => {
    await s3.stop();
    const plan = await runCli(['plan', 'hello'], { cwd: dir, env });
    expect(plan.exitCode).toBe(1);
    // "connection refused" is tofu's wording (the probe would say ECONNREFUSED): tofu ran, no probe did.
    expect(plan.stderr).toBe(`error: the S3 endpoint ${s3.endpoint} is unreachable (connection refused)\nhint: check TOFU_BACKEND_S3_ENDPOINT and that the server is up and reachable from here\n`);
    expect(plan.stdout).toContain('exceeded maximum number of attempts');
    s3 = await startLocalS3(); // for afterAll
  });
});

// The manual's promise (docs/stacks.md, "The S3 backend"): on a stack already initialized
// (no bucket probe), tofu's own S3 errors end on foundation's one line, in apply as in plan.
describe("tofu's S3 backend errors in apply: foundation's one line", () => {
  const project = useS3Project();

  it('a saved plan applied with refused credentials (unknown key, wrong secret): one error line and the credentials hint, no plan step to blame', async () => {
    const { s3, dir, env } = project;
    const planFile = `${dir}/saved.tfplan`;
    const plan = await runCli(['plan', 'hello', '--out', planFile], { cwd: dir, env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    for (const refused of [{ TOFU_BACKEND_S3_ACCESS_KEY: 'AKIAUNKNOWNAPPLY0001' }, { TOFU_BACKEND_S3_SECRET_KEY: 'not-the-secret-apply' }]) {
      const before = s3.authRefused();
      const apply = await runCli(['apply', 'hello', '--plan', planFile], { cwd: dir, env: { ...env, ...refused } });
      expect(apply.exitCode).toBe(1);
      // tofu ran (its own words are in its output) and the server refused it
      expect(apply.stdout).toMatch(/api error (InvalidAccessKeyId|SignatureDoesNotMatch)/);
      expect(s3.authRefused()).toBeGreaterThan(before);
      expect(apply.stderr).toBe(
        `error: the S3 endpoint ${s3.endpoint} refused the backend credentials (HTTP 403)\n` +
          'hint: check TOFU_BACKEND_S3_ACCESS_KEY and TOFU_BACKEND_S3_SECRET_KEY, and that this key may read bucket "state"\n',
      );
    }
  });
});

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../support/net.js';
import { REPO_ROOT, runCli, type CliResult } from '../support/cli.js';
import { copyFixture, treeSnapshot } from '../support/project.js';
import { useS3Project } from '../support/s3.js';
import { tofuRecorder } from '../support/tofu-recorder.js';

/** The operator's mistakes: exit 1, an error and a hint (two lines at most), never "a bug in foundation". */
function expectOperatorError(result: CliResult, message: RegExp): string[] {
  expect(result.exitCode, result.stderr).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines.length, result.stderr).toBeLessThanOrEqual(2);
  expect(lines[0]).toMatch(message);
  if (lines[1]) expect(lines[1]).toMatch(/^hint: \S/);
  expect(result.stderr).not.toMatch(/bug|\n\s+at /);
  return lines;
}

describe('errors that are the operator\'s, said as such', () => {
  // a local S3 server (and a fixture copy the tests below do not need); env: its variables and ENV=dev
  const project = useS3Project();

  it('KUBECONFIG naming a file that does not exist', async () => {
    const dir = copyFixture('arc');
    for (const args of [['apply', 'arc-runners', '--auto-approve'], ['drain', 'arc-runners', '--status']]) {
      const result = await runCli(args, { cwd: dir, env: { ...project.env, KUBECONFIG: '/nonexistent/kubeconfig' } });
      const [, hint] = expectOperatorError(result, /^error: KUBECONFIG names \/nonexistent\/kubeconfig, which does not exist$/);
      expect(hint).toContain('context "test-arc"');
    }
  });

  it('no kubeconfig at all', async () => {
    const dir = copyFixture('arc');
    const home = mkdtempSync(path.join(tmpdir(), 'foundation-home-'));
    const result = await runCli(['drain', 'arc-runners', '--status'], { cwd: dir, env: { ...project.env, HOME: home } });
    const [, hint] = expectOperatorError(result, new RegExp(`^error: no kubeconfig: KUBECONFIG is not set and ${home}/\\.kube/config does not exist$`));
    expect(hint).not.toContain('loaded-context');
  });

  it('an unwritable --report-file is refused before anything runs', async () => {
    const dir = copyFixture('basic');
    const recorder = tofuRecorder();
    const before = treeSnapshot(dir);
    const notAFolder = path.join(dir, 'stacks/hello/stack.yaml/report.json');
    for (const file of ['/proc/foundation-report.json', notAFolder]) {
      const result = await runCli(['plan', 'hello', '--report-file', file], { cwd: dir, env: { ...project.env, FOUNDATION_TOFU_BIN: recorder.bin } });
      expectOperatorError(result, /^error: --report-file .+ cannot be written: .+ does not take new files \((EACCES|ENOENT|ENOTDIR|EROFS|EPERM)\)$/);
    }
    expect(recorder.calls()).toEqual([]);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('a preflight failure still writes --report-file and --json, with the error', async () => {
    const dir = copyFixture('basic');
    const port = await closedPort();
    const result = await runCli(['plan', 'hello', '--json', '--report-file', 'out/report.json'], { cwd: dir, env: { ...project.env, TOFU_BACKEND_S3_ENDPOINT: `http://127.0.0.1:${port}` } });
    expectOperatorError(result, /^error: the S3 endpoint http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)$/);
    const expected = {
      command: 'plan',
      env: 'dev',
      exitCode: 1,
      error: { message: `the S3 endpoint http://127.0.0.1:${port} is unreachable (ECONNREFUSED)`, hint: expect.stringContaining('TOFU_BACKEND_S3_ENDPOINT') },
      stacks: [],
    };
    expect(JSON.parse(result.stdout)).toEqual(expected);
    expect(JSON.parse(readFileSync(path.join(dir, 'out/report.json'), 'utf8'))).toEqual(expected);

    const hollow = await runCli(['apply', 'hollow', '--auto-approve', '--report-file', 'hollow.json'], { cwd: dir, env: project.env });
    expectOperatorError(hollow, /^error: stack "hollow": root module directory stacks\/hollow has no \.tf files$/);
    expect(JSON.parse(readFileSync(path.join(dir, 'hollow.json'), 'utf8'))).toMatchObject({ command: 'apply', exitCode: 1, error: { message: expect.stringContaining('has no .tf files') } });
  });

  it('the live stacks\' roots live in the infrastructure repository: the error says so and how root: points there', async () => {
    const before = treeSnapshot(path.join(REPO_ROOT, 'stacks'));
    const result = await runCli(['plan', 'attic'], { cwd: REPO_ROOT, env: project.env });
    const [, hint] = expectOperatorError(result, /^error: stack "attic": root module directory tofu\/stacks\/attic does not exist$/);
    expect(hint).toBe('hint: the stacks\' root modules live in the infrastructure repository (tofu/stacks/<name>): run foundation in that checkout, or point "root" in stacks/attic/stack.yaml at the folder with the stack\'s .tf files (relative to stacks/attic)');
    expect(treeSnapshot(path.join(REPO_ROOT, 'stacks'))).toEqual(before);
  });

  it('state lock with no lock is a clear exit 1', async () => {
    const dir = copyFixture('basic');
    const result = await runCli(['state', 'lock', 'hello'], { cwd: dir, env: project.env });
    expectOperatorError(result, /^error: stack "hello" \(ENV dev\) has no state lock: nothing holds fixtures\/hello\/terraform\.tfstate$/);
  });

  it('graph --json --dot is refused, as stacks --matrix without --json is', async () => {
    const dir = copyFixture('basic');
    expectOperatorError(await runCli(['graph', '--json', '--dot'], { cwd: dir, env: project.env }), /^error: --json and --dot do not go together$/);
  });
});

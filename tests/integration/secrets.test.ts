import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { copyFixture, filesContaining, removeFixtures } from '../support/project.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';
import { tofuRecorder, type TofuRecorder } from '../support/tofu-recorder.js';

// Canary credentials: if either string shows up anywhere, a secret leaked.
const CANARY_KEY = 'AKIACANARY7F3B9C2E1D';
const CANARY_SECRET = 'canary-secret-5e8d1f0a9b7c6d4e3f2a';
const REFUSED_KEY = 'AKIAREFUSEDCANARY0042';
const REFUSED_SECRET = 'refused-canary-secret-77aa88bb99cc';

describe('secrets never reach a file, an argv, or any output', () => {
  let s3: LocalS3;
  let dir: string;
  let recorder: TofuRecorder;
  // foundation's caches (configuration, compiled code) for these runs only.
  const cacheHome = mkdtempSync(path.join(tmpdir(), 'foundation-secrets-cache-'));
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3({ accessKeyId: CANARY_KEY, secretAccessKey: CANARY_SECRET });
    dir = copyFixture('basic');
    recorder = tofuRecorder();
    const env = { ...s3.env, ENV: 'dev', FOUNDATION_TOFU_BIN: recorder.bin, XDG_CACHE_HOME: cacheHome };
    for (const args of [
      ['backend', 'materialize', 'hello', 'sleeper'],
      ['init', 'hello'],
      ['plan', 'hello', '--json'],
      ['apply', 'hello', '--auto-approve'],
      ['plan', 'hello'],
      ['stacks', '--json'],
      ['plan', 'hello', '--debug'],
    ]) {
      outputs.push(await runCli(args, { cwd: dir, env }));
    }
    // The endpoint refuses an access key it does not know.
    const refused = { ...env, TOFU_BACKEND_S3_ACCESS_KEY: REFUSED_KEY, TOFU_BACKEND_S3_SECRET_KEY: REFUSED_SECRET };
    outputs.push(await runCli(['plan', 'hello'], { cwd: dir, env: refused }));
    outputs.push(await runCli(['init', 'hello', '--force', '--debug'], { cwd: dir, env: refused }));
    outputs.push(await runCli(['apply', 'hello', '--auto-approve', '--json'], { cwd: dir, env: refused }));
    // status: its plan and its S3 reads with the canary key, then with the refused one (no cluster here: drift fails)
    outputs.push(await runCli(['status', 'hello', '--json'], { cwd: dir, env }));
    outputs.push(await runCli(['status', 'hello'], { cwd: dir, env: refused }));
  }, 300_000); // twelve whole CLI runs: room on a busy machine
  afterAll(async () => {
    await s3.stop();
    removeFixtures();
    rmSync(cacheHome, { recursive: true, force: true });
  });

  it('the flow itself worked with the canary credentials', () => {
    expect(outputs.slice(0, 7).map((o) => o.exitCode)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('a refused key is a one-line error without the key', () => {
    const refused = outputs.slice(7, 10);
    expect(refused.map((o) => o.exitCode)).toEqual([1, 1, 1]);
    expect(refused[0]!.stderr).toMatch(/^error: the S3 endpoint http:\/\/127\.0\.0\.1:\d+ refused the backend credentials \(HTTP 403\)\nhint: check TOFU_BACKEND_S3_ACCESS_KEY and TOFU_BACKEND_S3_SECRET_KEY/);
  });

  it('status planned and read the state with the canary key, and names a refused one without it', () => {
    const [ran, refused] = outputs.slice(10);
    expect(ran!.exitCode).toBe(1); // drift: there is no cluster here
    const [hello] = JSON.parse(ran!.stdout).stacks;
    expect(hello).toMatchObject({ verdict: 'error', plan: { status: 'no-changes' }, state: { key: 'fixtures/hello/terraform.tfstate', lock: null }, drift: { status: 'failed' } });
    expect(hello.state.serial).toBeGreaterThan(0);
    expect(refused!.exitCode).toBe(1);
    expect(refused!.stdout).toMatch(/^hello: state: the S3 endpoint http:\/\/127\.0\.0\.1:\d+ refused the backend credentials \(HTTP 403\)$/m);
  });

  it('no output contains a canary', () => {
    for (const { stdout, stderr } of outputs) {
      for (const canary of [CANARY_KEY, CANARY_SECRET, REFUSED_KEY, REFUSED_SECRET]) {
        expect(stdout).not.toContain(canary);
        expect(stderr).not.toContain(canary);
      }
    }
  });

  it('no file under the work tree contains a canary (backend files, .terraform, plans)', () => {
    for (const canary of [CANARY_KEY, CANARY_SECRET, REFUSED_KEY, REFUSED_SECRET]) {
      expect(filesContaining(dir, canary)).toEqual([]);
    }
    expect(readFileSync(`${dir}/modules/hello/backend.s3.tfbackend`, 'utf8')).not.toMatch(/access_key|secret_key/);
  });

  it('no file in the cache home contains a canary (configuration cache, V8 code caches)', () => {
    expect(readdirSync(path.join(cacheHome, 'foundation', 'code')).length).toBeGreaterThan(0);
    for (const canary of [CANARY_KEY, CANARY_SECRET, REFUSED_KEY, REFUSED_SECRET]) {
      // V8 keeps a string in one byte per character or in UTF-16.
      expect(filesContaining(cacheHome, canary)).toEqual([]);
      expect(filesContaining(cacheHome, canary, 'utf16le')).toEqual([]);
    }
  });

  it('no tofu argv contains a canary, and tofu ran for init, plan and apply', () => {
    const calls = recorder.calls();
    expect(new Set(calls.map((c) => c.argv[0]))).toEqual(new Set(['init', 'plan', 'apply']));
    for (const { argv } of calls) {
      for (const canary of [CANARY_KEY, CANARY_SECRET, REFUSED_KEY, REFUSED_SECRET]) {
        expect(argv.join(' ')).not.toContain(canary);
      }
    }
  });

  it('the state in the bucket holds no canary', async () => {
    const state = await s3.read('fixtures/hello/terraform.tfstate');
    expect(state).not.toContain(CANARY_KEY);
    expect(state).not.toContain(CANARY_SECRET);
  });
});

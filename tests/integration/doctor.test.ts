import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';
import { copyFixture, removeFixtures } from '../support/project.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

const TOKEN = 'kube-token-doctor-test';
// An access key id the server does not know.
const WRONG_KEY = 'AKIADOCTORCANARY9931';
const WRONG_SECRET = 'doctor-canary-secret-4b7e2a9c1d';

interface Check {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

describe('foundation doctor', () => {
  let api: KubeApiServer;
  let kubeconfig: string;
  let dir: string;
  const servers: LocalS3[] = [];

  beforeAll(async () => {
    api = await new KubeApiServer({ token: TOKEN }).start();
    // The fixture's two ENVs use contexts test-dev and test-staging: one kubeconfig file each.
    const dev = await writeKubeconfig(api, { token: TOKEN, context: 'test-dev', dir: await mkdtemp(path.join(tmpdir(), 'doctor-kube-')) });
    const staging = await writeKubeconfig(api, { token: TOKEN, context: 'test-staging', dir: await mkdtemp(path.join(tmpdir(), 'doctor-kube-')) });
    kubeconfig = `${dev}${path.delimiter}${staging}`;
    dir = copyFixture('basic');
  });
  afterAll(async () => {
    for (const s3 of servers) await s3.stop();
    await api.stop();
    removeFixtures();
  });

  const start = async (options: Parameters<typeof startLocalS3>[0] = {}) => {
    const s3 = await startLocalS3(options);
    servers.push(s3);
    return s3;
  };
  // just from node_modules, kubectl and terraform from the machine; no talosctl here.
  const doctor = (s3: LocalS3, extra: Record<string, string> = {}, args: string[] = []) =>
    runCli(['doctor', ...args], {
      cwd: dir,
      env: { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig, PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`, ...extra },
    });
  // The PATH without any node_modules/.bin (npx and vitest put the repository's there): just is not on it.
  const bare = (process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.includes(`node_modules${path.sep}.bin`)).join(path.delimiter);
  const byName = (stdout: string): Record<string, Check> => Object.fromEntries((JSON.parse(stdout).checks as Check[]).map((c) => [c.check, c]));

  it('against a server that enforces conditional writes: ok, one line per check, exit 0', async () => {
    const s3 = await start();
    const result = await doctor(s3);
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.every((l) => /^(ok  |warn|fail) [^:]+: /.test(l))).toBe(true);
    expect(result.stdout).toMatch(/^ok {3}tofu: (tofu|terraform) \d+\.\d+\.\d+ at \//m);
    expect(result.stdout).toMatch(/^ok {3}kubectl: kubectl v1\.\d+\.\d+/m);
    expect(result.stdout).toMatch(/^ok {3}just: just \d+\.\d+\.\d+$/m);
    expect(result.stdout).toContain('warn talosctl: talosctl is not on PATH');
    expect(result.stdout).toContain('ok   variables: TOFU_BACKEND_S3_ENDPOINT, TOFU_BACKEND_S3_BUCKET, TOFU_BACKEND_S3_ACCESS_KEY, TOFU_BACKEND_S3_SECRET_KEY set');
    expect(result.stdout).toContain(`ok   s3: bucket "state" at ${s3.endpoint} answers; credentials accepted`);
    expect(result.stdout).toContain('warn versioning: versioning is off: no earlier states to restore');
    expect(result.stdout).toContain('ok   conditional writes: enforced: a second If-None-Match write of the probe object was refused (412)');
    expect(result.stdout).toMatch(/^ok {3}kube context test-dev: the API at https:\/\/127\.0\.0\.1:\d+ answers, Kubernetes v1\.\d+\.\d+ \(ENV dev\)$/m);
    expect(result.stdout).toMatch(/^ok {3}kube context test-staging: .* \(ENV staging\)$/m);
    // The probe went through the server that refused it, and left nothing behind.
    expect(s3.preconditionsRefused()).toBe(1);
    expect(await s3.keys()).toEqual([]);
    // Names only: no value of a variable is printed.
    expect(result.stdout).not.toContain(s3.accessKeyId === 'S3RVER' ? 'S3RVER' : s3.accessKeyId);
  });

  it('against plain s3rver, which ignores If-None-Match: warns that locking is ineffective, exit 0', async () => {
    const s3 = await start({ conditionalWrites: false });
    const result = await doctor(s3, {}, ['--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const checks = byName(result.stdout);
    expect(checks['conditional writes']).toEqual({
      check: 'conditional writes',
      status: 'warn',
      detail: 'NOT enforced: the server accepted a second If-None-Match write of the probe object, so state locking (use_lockfile) is ineffective on this server',
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ env: 'dev', exitCode: 0 });
    expect(await s3.keys()).toEqual([]);
  });

  it('with versioning on, reports it and removes every version of the probe', async () => {
    const s3 = await start({ versioning: true });
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new PutBucketVersioningCommand({ Bucket: s3.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const result = await doctor(s3, {}, ['--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const checks = byName(result.stdout);
    expect(checks.versioning!.status).toBe('ok');
    expect(checks['conditional writes']!.status).toBe('ok');
    const left = await client.send(new ListObjectVersionsCommand({ Bucket: s3.bucket, Prefix: '.foundation-doctor/' }));
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
    client.destroy();
  });

  it('a refused access key fails the credentials check without printing the key or the secret, exit 1', async () => {
    const s3 = await start();
    for (const args of [[], ['--json']]) {
      const result = await doctor(s3, { TOFU_BACKEND_S3_ACCESS_KEY: WRONG_KEY, TOFU_BACKEND_S3_SECRET_KEY: WRONG_SECRET }, args);
      expect(result.exitCode).toBe(1);
      expect(result.stdout + result.stderr).not.toContain(WRONG_KEY);
      expect(result.stdout + result.stderr).not.toContain(WRONG_SECRET);
      if (args.length === 0) {
        expect(result.stdout).toMatch(/^fail s3: the S3 endpoint http:\/\/127\.0\.0\.1:\d+ refused the backend credentials \(HTTP 403\)$/m);
        expect(result.stdout).toContain('warn conditional writes: not checked: the bucket did not answer');
      }
    }
  });

  it('a known access key with the wrong secret fails the credentials check too (the server checks SigV4 signatures)', async () => {
    const s3 = await start();
    const result = await doctor(s3, { TOFU_BACKEND_S3_SECRET_KEY: WRONG_SECRET });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^fail s3: the S3 endpoint http:\/\/127\.0\.0\.1:\d+ refused the backend credentials \(HTTP 403\)$/m);
    expect(result.stdout + result.stderr).not.toContain(WRONG_SECRET);
    expect(s3.authRefused()).toBeGreaterThan(0);
  });

  it('just found the way the manual runs it: "npx just" from the project\'s node_modules/.bin when it is not on PATH', async () => {
    const s3 = await start();
    const withLocal = copyFixture('basic');
    mkdirSync(path.join(withLocal, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'just'), path.join(withLocal, 'node_modules', '.bin', 'just'));
    const env = { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig, PATH: bare };
    const local = await runCli(['doctor'], { cwd: withLocal, env });
    expect(local.stdout).toMatch(/^ok {3}just: just \d+\.\d+\.\d+ \(run as "npx just": node_modules\/\.bin\/just\)$/m);

    const without = await runCli(['doctor'], { cwd: copyFixture('basic'), env });
    expect(without.stdout).toContain("warn just: just is not on PATH and not in the project's node_modules/.bin (npm ci installs it: npm package rust-just)");
  });

  it('legacy state: names the GitLab token variable and the user name it would go with, never the token', async () => {
    const s3 = await start();
    const legacy = copyFixture('basic');
    const stackFile = path.join(legacy, 'stacks/hello/stack.yaml');
    writeFileSync(stackFile, `${readFileSync(stackFile, 'utf8')}backend:\n  dev: gitlab-http\ngitlab:\n  url: https://gitlab.example.com\n  project: tinyland/infra\n`);
    const env = { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig, CI_JOB_TOKEN: 'glcbt-doctor-canary-0001', GITLAB_USER_LOGIN: 'ops' };
    const result = await runCli(['doctor', '--json'], { cwd: legacy, env });
    expect(byName(result.stdout)['legacy state']).toEqual({
      check: 'legacy state',
      status: 'warn',
      detail: 'hello still on GitLab-managed HTTP state (compatibility-only); CI_JOB_TOKEN set, user name gitlab-ci-token',
    });
    expect(result.stdout + result.stderr).not.toContain('glcbt-doctor-canary-0001');
  });

  it('missing variables and a missing kube context are fails, named without values', async () => {
    const s3 = await start();
    const dev = await writeKubeconfig(api, { token: TOKEN, context: 'test-dev', dir: await mkdtemp(path.join(tmpdir(), 'doctor-kube-')) });
    const result = await doctor(s3, { TOFU_BACKEND_S3_SECRET_KEY: '', KUBECONFIG: dev }, ['--json']);
    expect(result.exitCode).toBe(1);
    const checks = byName(result.stdout);
    expect(checks.variables).toEqual({ check: 'variables', status: 'fail', detail: 'missing: TOFU_BACKEND_S3_SECRET_KEY' });
    expect(checks.s3!.status).toBe('fail');
    expect(checks['kube context test-dev']!.status).toBe('ok');
    expect(checks['kube context test-staging']).toMatchObject({ status: 'fail' });
    expect(checks['kube context test-staging']!.detail).toContain('kube context "test-staging" does not exist');
  });

  it('a context whose API does not answer fails', async () => {
    const s3 = await start();
    const gone = await new KubeApiServer({ token: TOKEN }).start();
    const dead = await writeKubeconfig(gone, { token: TOKEN, context: 'test-staging', dir: await mkdtemp(path.join(tmpdir(), 'doctor-kube-')) });
    await gone.stop();
    const dev = kubeconfig.split(path.delimiter)[0]!;
    const result = await doctor(s3, { KUBECONFIG: `${dev}${path.delimiter}${dead}` });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^fail kube context test-staging: the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context test-staging\) is unreachable \(ECONNREFUSED\) \(ENV staging\)$/m);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, runCli as run, type CliResult } from '../support/cli.js';
import { startTerraformStateApi, type TerraformStateApi } from '../support/gitlab-api/terraform-state.js';
import { copyFixture, filesContaining, removeFixtures, treeSnapshot } from '../support/project.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

const TOKEN = 'glpat-canary-5f1e9d3c7b2a4e6f';
/** A CI/CD job token of a job in the state's own project, started by a Maintainer. */
const JOB_TOKEN = 'glcbt-64_canaryjobtoken9f8e7d6c';
/** A job token of a job in another project (tinyland/apps), which tinyland/infra's allowlist does not name. */
const OTHER_JOB_TOKEN = 'glcbt-64_otherprojectjob1a2b3c4';
const PROJECT = 42;
const OTHER_PROJECT = 43;
const NOTICE = 'note: GitLab-managed HTTP state (TF_HTTP_*) is compatibility-only';

/** The basic fixture with hello's dev state on the test GitLab. */
function legacyProject(gitlabUrl: string, stateName = '{stack}'): string {
  const dir = copyFixture('basic');
  const file = path.join(dir, 'stacks/hello/stack.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8')}backend:\n  dev: gitlab-http\ngitlab:\n  url: ${gitlabUrl}\n  project: tinyland/infra\n  stateName: "${stateName}"\n`);
  return dir;
}

/** terraform itself, as an operator on the legacy path runs it after `just tofu-init-gitlab-legacy`. */
function terraform(dir: string, args: string[]) {
  return execa('terraform', args, {
    cwd: path.join(dir, 'modules/hello'),
    env: baseEnv({ TF_HTTP_USERNAME: 'ops', TF_HTTP_PASSWORD: TOKEN, TF_IN_AUTOMATION: '1' }),
    extendEnv: false,
    reject: false,
  });
}

describe('GitLab-managed HTTP state (compatibility) and its migration to S3', () => {
  // Every CLI output of the suite, searched for the token at the end.
  const outputs: CliResult[] = [];
  const runCli = async (...args: Parameters<typeof run>) => {
    const result = await run(...args);
    outputs.push(result);
    return result;
  };
  let gitlab: TerraformStateApi;
  let s3: LocalS3;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    gitlab = await startTerraformStateApi({
      tokens: {
        [TOKEN]: { username: 'ops', role: 'maintainer' },
        'glpat-dev-only-000000': { username: 'dev', role: 'developer' },
        [JOB_TOKEN]: { username: 'ops', role: 'maintainer', kind: 'job', project: PROJECT },
        [OTHER_JOB_TOKEN]: { username: 'ops', role: 'maintainer', kind: 'job', project: OTHER_PROJECT },
      },
      projects: { [PROJECT]: 'tinyland/infra', [OTHER_PROJECT]: 'tinyland/apps' },
    });
    s3 = await startLocalS3();
    dir = legacyProject(gitlab.url);
    env = { ...s3.env, ENV: 'dev', TF_HTTP_USERNAME: 'ops', TF_HTTP_PASSWORD: TOKEN };
  });
  afterAll(async () => {
    await gitlab.stop();
    await s3.stop();
    removeFixtures();
  });

  it('init takes the http backend with GitLab\'s address, lock address and methods, and says it is compatibility-only', async () => {
    const init = await runCli(['init', 'hello'], { cwd: dir, env });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stderr).toContain(NOTICE);
    expect(init.stdout).toContain(`hello (ENV dev): initialized against GitLab-managed state ${gitlab.url}/api/v4/projects/tinyland%2Finfra/terraform/state/hello`);
    const backendFile = readFileSync(path.join(dir, 'modules/hello/backend.http.tfbackend'), 'utf8');
    expect(backendFile).toContain('lock_method    = "POST"');
    expect(backendFile).toContain('unlock_method  = "DELETE"');
    expect(backendFile).toContain(`lock_address   = "${gitlab.url}/api/v4/projects/tinyland%2Finfra/terraform/state/hello/lock"`);
    expect(readFileSync(path.join(dir, 'modules/hello/backend.foundation.tf'), 'utf8')).toContain('backend "http" {}');
  });

  it('the real terraform applies through it: POST state with ?ID= under the lock, LOCK and UNLOCK as POST/DELETE /lock', async () => {
    const apply = await terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', '-var-file=dev.tfvars']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    const state = JSON.parse(gitlab.state(PROJECT, 'hello')!);
    expect(state.resources.map((r: { name: string }) => r.name).sort()).toEqual(['greeting', 'second']);
    const methods = gitlab.requests.map((r) => `${r.method} ${r.path.endsWith('/lock') ? 'lock' : 'state'}${r.query.startsWith('ID=') ? '?ID' : ''}`);
    expect(methods).toContain('POST lock');
    expect(methods).toContain('POST state?ID');
    expect(methods).toContain('DELETE lock');
    expect(gitlab.requests.every((r) => r.hasBasicAuth)).toBe(true);
    expect(gitlab.lockId(PROJECT, 'hello')).toBeUndefined();
  });

  it('a held lock makes terraform fail with the holder\'s lock info (409), and force-unlock frees it', async () => {
    const held = await fetch(`${gitlab.url}/api/v4/projects/${PROJECT}/terraform/state/hello/lock`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ID: 'held-by-ci-0001', Operation: 'OperationTypeApply', Info: '', Who: 'ci@runner', Version: '1.11.4', Created: new Date().toISOString(), Path: '' }),
    });
    expect(held.status).toBe(200);
    // A second lock while held: 409 with the holder's lock info, as terraform needs to report it.
    const second = await fetch(`${gitlab.url}/api/v4/projects/${PROJECT}/terraform/state/hello/lock`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ID: 'second-0002', Operation: 'OperationTypePlan', Info: '', Who: 'me', Version: '1.11.4', Created: new Date().toISOString(), Path: '' }),
    });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ ID: 'held-by-ci-0001', Who: 'ops', Operation: 'OperationTypePlan' });
    // A write under another lock ID is refused (GitLab raises StateLockedError there, unrescued: 500) and stores nothing.
    const before = gitlab.state(PROJECT, 'hello');
    const write = await fetch(`${gitlab.url}/api/v4/projects/${PROJECT}/terraform/state/hello?ID=second-0002`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ version: 4, serial: 999, lineage: 'x', resources: [] }),
    });
    expect(write.status).toBe(500);
    expect(gitlab.state(PROJECT, 'hello')).toBe(before);
    const plan = await terraform(dir, ['plan', '-input=false', '-no-color', '-lock-timeout=0s', '-var-file=dev.tfvars']);
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toContain('Error acquiring the state lock');
    expect(plan.stderr).toContain('held-by-ci-0001');
    const unlock = await terraform(dir, ['force-unlock', '-force', 'held-by-ci-0001']);
    expect(unlock.exitCode, unlock.stderr).toBe(0);
    expect(gitlab.lockId(PROJECT, 'hello')).toBeUndefined();
  });

  it('the stand-in refuses what GitLab refuses: no token 401, a Developer writing 403, tofu\'s default LOCK method 404', async () => {
    const address = `${gitlab.url}/api/v4/projects/${PROJECT}/terraform/state/hello`;
    expect((await fetch(address)).status).toBe(401);
    const dev = await fetch(address, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from('dev:glpat-dev-only-000000').toString('base64')}` }, body: '{"serial": 99}' });
    expect(dev.status).toBe(403);
    const lockVerb = await fetch(address, { method: 'LOCK', headers: { Authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}` } });
    expect(lockVerb.status).toBe(404);
  });

  it("migrate while another client holds GitLab's lock: the holder's ID, GitLab user and time as GitLab answers them, no invented operation; nothing copied", async () => {
    const lockUrl = `${gitlab.url}/api/v4/projects/${PROJECT}/terraform/state/hello/lock`;
    const held = await fetch(lockUrl, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ID: 'held-by-ci-0002', Operation: 'OperationTypeApply', Info: '', Who: 'runner@ci-7', Version: '1.11.4', Created: new Date().toISOString(), Path: '' }),
    });
    expect(held.status).toBe(200);
    const lock = gitlab.lock(PROJECT, 'hello')!;
    const keysBefore = await s3.keys();
    try {
      const migrate = await runCli(['state', 'migrate', 'hello', '--from', 'gitlab-http', '--to', 's3'], { cwd: dir, env });
      expect(migrate.exitCode).toBe(1);
      expect(migrate.stdout).toBe('');
      const lines = migrate.stderr.trim().split('\n').filter((line) => line.startsWith('error: ') || line.startsWith('hint: '));
      expect(lines).toEqual([
        `error: the GitLab state "hello" of project tinyland/infra is locked: lock ID held-by-ci-0002, taken by GitLab user ops at ${lock.at}`,
        "hint: wait for that run to finish, then run this again; nothing was changed. A lock left by a run that is gone is released on GitLab's Terraform states page (Operate > Terraform states > Unlock)",
      ]);
      // GitLab echoes the requester's own Operation: neither the migration's nor a guess is shown as the holder's.
      expect(migrate.stderr).not.toMatch(/Operation|migrate\b.*since|apply/i);
      expect(await s3.keys()).toEqual(keysBefore);
      expect(gitlab.lockId(PROJECT, 'hello')).toBe('held-by-ci-0002');
    } finally {
      await fetch(lockUrl, { method: 'DELETE', headers: { Authorization: `Basic ${Buffer.from(`ops:${TOKEN}`).toString('base64')}` } });
    }
  });

  it('migrate moves the state to S3 with the same lineage, serial and resources, a plan shows no changes, stack.yaml is untouched', async () => {
    const stackYaml = readFileSync(path.join(dir, 'stacks/hello/stack.yaml'), 'utf8');
    const legacyText = gitlab.state(PROJECT, 'hello')!;
    const legacy = JSON.parse(legacyText);
    const migrate = await runCli(['state', 'migrate', 'hello', '--from', 'gitlab-http', '--to', 's3', '--json'], { cwd: dir, env });
    expect(migrate.exitCode, migrate.stdout + migrate.stderr).toBe(0);
    expect(migrate.stderr).toContain(NOTICE);
    const evidence = JSON.parse(migrate.stdout);
    expect(evidence).toMatchObject({
      stack: 'hello',
      env: 'dev',
      copied: true,
      ok: true,
      equal: { lineage: true, serial: true, resources: true },
      plan: { changes: false },
      stackFileUnchanged: true,
      from: { lineage: legacy.lineage, serial: legacy.serial },
      to: { bucket: 'state', key: 'fixtures/hello/terraform.tfstate', lineage: legacy.lineage, serial: legacy.serial },
    });
    // Checked here too, independently of the CLI's own evidence.
    const copied = JSON.parse(await s3.read('fixtures/hello/terraform.tfstate'));
    expect(copied.lineage).toBe(legacy.lineage);
    expect(copied.serial).toBe(legacy.serial);
    expect(copied.resources).toEqual(legacy.resources);
    expect(readFileSync(path.join(dir, 'stacks/hello/stack.yaml'), 'utf8')).toBe(stackYaml);
    // The GitLab state is left as it was, and the lock the migration took is released.
    expect(gitlab.state(PROJECT, 'hello')).toBe(legacyText);
    expect(gitlab.lockId(PROJECT, 'hello')).toBeUndefined();
    expect(gitlab.requests.some((r) => r.method === 'POST' && r.path.endsWith('/lock') && r.contentType === 'application/json')).toBe(true);

    // The operator switches the ENV to S3; foundation's own plan then finds nothing to do.
    writeFileSync(path.join(dir, 'stacks/hello/stack.yaml'), stackYaml.replace('  dev: gitlab-http\n', '  dev: s3\n'));
    const plan = await runCli(['plan', 'hello'], { cwd: dir, env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('hello (ENV dev): no changes');
    writeFileSync(path.join(dir, 'stacks/hello/stack.yaml'), stackYaml);
  });

  it('the human evidence names each comparison', async () => {
    const again = await runCli(['state', 'migrate', 'hello', '--from', 'gitlab-http', '--to', 's3'], { cwd: dir, env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^hello \(ENV dev\): already migrated http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/tinyland%2Finfra\/terraform\/state\/hello -> s3:\/\/state\/fixtures\/hello\/terraform\.tfstate$/m);
    expect(again.stdout).toMatch(/^ {2}serial {5}(\d+) -> \1: equal$/m);
    expect(again.stdout).toContain('  resources  2 -> 2: equal (terraform_data.greeting, terraform_data.second)');
    expect(again.stdout).toContain('  plan       no changes against the S3 state');
  });

  it('migrate with pending changes: the copy is proven, exit 0; each piece of evidence apart, and a warning naming the changes and the next command', async () => {
    // The same GitLab state under another name, copied to another S3 key, while the repository now says another greeting.
    gitlab.putState(PROJECT, 'pending', gitlab.state(PROJECT, 'hello')!);
    const pending = legacyProject(gitlab.url, 'pending');
    const stackFile = path.join(pending, 'stacks/hello/stack.yaml');
    writeFileSync(stackFile, readFileSync(stackFile, 'utf8').replace('dev: fixtures/hello/terraform.tfstate', 'dev: fixtures/pending/terraform.tfstate'));
    writeFileSync(path.join(pending, 'modules/hello/dev.tfvars'), 'greeting = "a greeting the state has not seen"\n');
    const legacy = JSON.parse(gitlab.state(PROJECT, 'pending')!);

    const migrate = await runCli(['state', 'migrate', 'hello', '--from', 'gitlab-http', '--to', 's3'], { cwd: pending, env });
    expect(migrate.exitCode, migrate.stdout + migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/^hello \(ENV dev\): migrated http:\/\/127\.0\.0\.1:\d+\/api\/v4\/projects\/tinyland%2Finfra\/terraform\/state\/pending -> s3:\/\/state\/fixtures\/pending\/terraform\.tfstate$/m);
    expect(migrate.stdout).toContain(`  lineage    ${legacy.lineage} -> ${legacy.lineage}: equal`);
    expect(migrate.stdout).toContain(`  serial     ${legacy.serial} -> ${legacy.serial}: equal`);
    expect(migrate.stdout).toContain('  resources  2 -> 2: equal (terraform_data.greeting, terraform_data.second)');
    expect(migrate.stdout).toContain('  plan       changes pending against the S3 state (0 to add, 2 to change, 0 to destroy, 1 output changed): the repository differs from the state');
    expect(migrate.stdout).toContain('next: set backend.dev: s3 (or drop the entry) in the stack\'s stack.yaml to make S3 its backend');
    expect(migrate.stderr).toContain(
      'warning: the state was migrated; the plan against it has changes pending (0 to add, 2 to change, 0 to destroy, 1 output changed): the repository differs from the state, the copy is equal. ' +
        'Once stack.yaml says backend.dev: s3, review them with "foundation plan hello"',
    );
    expect(migrate.stderr).not.toContain('error:');
    expect(await s3.read('fixtures/pending/terraform.tfstate')).toBe(gitlab.state(PROJECT, 'pending'));

    const json = await runCli(['state', 'migrate', 'hello', '--from', 'gitlab-http', '--to', 's3', '--json'], { cwd: pending, env });
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, copied: false, equal: { lineage: true, serial: true, resources: true }, plan: { changes: true, summary: { change: 2 } } });
  });

  it('plan refuses a stack still on GitLab instead of planning it from an empty S3 state', async () => {
    const other = legacyProject(gitlab.url);
    const plan = await runCli(['plan', 'hello'], { cwd: other, env });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toMatch(/^error: stack "hello" keeps its state on GitLab \(backend gitlab-http\) in ENV dev; this command works on S3 state only\nhint: move it with "foundation state migrate hello --from gitlab-http --to s3"/);
  });

  it('migrate with no legacy state: a clear error, exit 1, nothing changed', async () => {
    const empty = legacyProject(gitlab.url, 'never-written');
    const before = treeSnapshot(empty);
    const keysBefore = await s3.keys();
    const migrate = await runCli(['state', 'migrate', 'hello', '--from', 'gitlab-http', '--to', 's3'], { cwd: empty, env });
    expect(migrate.exitCode).toBe(1);
    expect(migrate.stderr).toContain(NOTICE);
    expect(migrate.stderr).toMatch(
      /^error: there is no legacy state for stack "hello" in ENV dev: GitLab has no state "never-written" in project tinyland\/infra\nhint: check gitlab\.project and gitlab\.stateName in stacks\/hello\/stack\.yaml; nothing was changed\n$/m,
    );
    expect(migrate.stdout).toBe('');
    expect(treeSnapshot(empty)).toEqual(before);
    expect(await s3.keys()).toEqual(keysBefore);
  });

  it('just tofu-init-gitlab-legacy delegates to foundation init --legacy, and refuses an S3 stack', async () => {
    const just = (...args: string[]) =>
      execa(path.join(process.cwd(), 'node_modules/.bin/just'), ['--justfile', path.join(process.cwd(), 'justfile'), '--working-directory', dir, ...args], {
        env: baseEnv(env),
        extendEnv: false,
        reject: false,
      });
    const legacy = await just('tofu-init-gitlab-legacy', 'hello', '--force');
    expect(legacy.exitCode, legacy.stderr).toBe(0);
    expect(legacy.stderr).toContain(NOTICE);
    expect(legacy.stdout).toContain('hello (ENV dev): initialized against GitLab-managed state');
    const s3Stack = await just('tofu-init-gitlab-legacy', 'sleeper');
    expect(s3Stack.exitCode).toBe(1);
    expect(s3Stack.stderr).toContain('error: stack "sleeper" keeps its state on S3 in ENV dev, not on GitLab');
  });

  it('state pull of a legacy stack reads the GitLab state, with the notice', async () => {
    const pulled = await runCli(['state', 'pull', 'hello'], { cwd: dir, env });
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe(gitlab.state(PROJECT, 'hello'));
    expect(pulled.stderr).toContain(NOTICE);
  });

  it('GITLAB_TOKEN serves when TF_HTTP_PASSWORD is unset; a wrong token is refused without being printed', async () => {
    const { TF_HTTP_PASSWORD: _p, TF_HTTP_USERNAME: _u, ...rest } = env;
    const viaToken = await runCli(['state', 'pull', 'hello'], { cwd: dir, env: { ...rest, GITLAB_TOKEN: TOKEN } });
    expect(viaToken.exitCode, viaToken.stderr).toBe(0);
    const wrong = 'glpat-wrong-canary-77c1e0b9a3';
    const refused = await runCli(['state', 'pull', 'hello'], { cwd: dir, env: { ...rest, GITLAB_TOKEN: wrong } });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('error: GitLab refused the credentials for state "hello" of project tinyland/infra: HTTP 401 (401 Unauthorized)');
    expect(refused.stderr).toContain('hint: check GITLAB_TOKEN: an access token (personal, project or group) with the api scope');
    expect(refused.stdout + refused.stderr).not.toContain(wrong);
  });

  it('the stand-in takes a job token as GitLab does: only under the user name gitlab-ci-token, over basic auth, and in another project only through its allowlist', async () => {
    const address = `${gitlab.url}/api/v4/projects/${PROJECT}/terraform/state/hello`;
    const basic = (user: string, token: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}` });
    expect((await fetch(address, { headers: basic('gitlab-ci-token', JOB_TOKEN) })).status).toBe(200);
    expect((await fetch(address, { headers: basic('ops', JOB_TOKEN) })).status).toBe(401);
    expect((await fetch(address, { headers: { 'PRIVATE-TOKEN': JOB_TOKEN } })).status).toBe(401);
    // an access token: the user name is not checked
    expect((await fetch(address, { headers: basic('anyone', TOKEN) })).status).toBe(200);
    const other = await fetch(address, { headers: basic('gitlab-ci-token', OTHER_JOB_TOKEN) });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ message: '403 Forbidden - Authentication by CI/CD job token not allowed from apps to infra.' });
  });

  it('a CI job token (CI_JOB_TOKEN, or GITLAB_TOKEN set from it) goes to GitLab as gitlab-ci-token, for foundation and for tofu', async () => {
    const { TF_HTTP_PASSWORD: _p, TF_HTTP_USERNAME: _u, ...rest } = env;
    const ci = { ...rest, GITLAB_USER_LOGIN: 'ops', CI_JOB_TOKEN: JOB_TOKEN };
    for (const vars of [ci, { ...ci, GITLAB_TOKEN: JOB_TOKEN }]) {
      const before = gitlab.requests.length;
      const pulled = await runCli(['state', 'pull', 'hello'], { cwd: dir, env: vars });
      expect(pulled.exitCode, pulled.stderr).toBe(0);
      expect(pulled.stdout).toBe(gitlab.state(PROJECT, 'hello'));
      expect(gitlab.requests.slice(before).map((r) => r.user)).toEqual(['gitlab-ci-token']);
    }
    // tofu's http backend gets the same user name through TF_HTTP_USERNAME.
    const before = gitlab.requests.length;
    const init = await runCli(['init', 'hello', '--force'], { cwd: dir, env: ci });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(new Set(gitlab.requests.slice(before).map((r) => r.user))).toEqual(new Set(['gitlab-ci-token']));
  });

  it('a job token under another user name, or from a project the allowlist does not name: one line saying why', async () => {
    const { TF_HTTP_PASSWORD: _p, TF_HTTP_USERNAME: _u, ...rest } = env;
    const misnamed = await runCli(['state', 'pull', 'hello'], { cwd: dir, env: { ...rest, TF_HTTP_USERNAME: 'ops', TF_HTTP_PASSWORD: JOB_TOKEN, CI_JOB_TOKEN: JOB_TOKEN } });
    expect(misnamed.exitCode).toBe(1);
    expect(misnamed.stderr).toContain(
      'error: GitLab refused the credentials for state "hello" of project tinyland/infra: HTTP 401 (401 Unauthorized)\n' +
        'hint: GitLab takes a CI job token only with the user name gitlab-ci-token, not "ops": unset TF_HTTP_USERNAME or set it to gitlab-ci-token\n',
    );
    const foreign = await runCli(['state', 'pull', 'hello'], { cwd: dir, env: { ...rest, CI_JOB_TOKEN: OTHER_JOB_TOKEN } });
    expect(foreign.exitCode).toBe(1);
    expect(foreign.stderr).toContain(
      'error: GitLab denied reading state "hello" of project tinyland/infra: HTTP 403 (403 Forbidden - Authentication by CI/CD job token not allowed from apps to infra.)\n' +
        "hint: the user who started the CI job needs the Developer role on the project to read the state, Maintainer to write it; for another project's state, that project's CI/CD job token allowlist (Settings > CI/CD > Job token permissions) must name this one\n",
    );
    for (const text of [misnamed.stdout, misnamed.stderr, foreign.stdout, foreign.stderr]) {
      expect(text).not.toContain(JOB_TOKEN);
      expect(text).not.toContain(OTHER_JOB_TOKEN);
    }
  });

  it("GitLab's 503 page: retried with backoff, then read; past the bound one line without markup", async () => {
    gitlab.failNext(503, 2);
    const pulled = await runCli(['state', 'pull', 'hello'], { cwd: dir, env });
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    // backoff with jitter: 500 ms to 1 s, then 1 s to 2 s
    expect(pulled.stderr).toMatch(/gitlab: HTTP 503 for GET state "hello"; retry 1 of 4 in (\d{3}ms|1s)\n/);
    expect(pulled.stderr).toMatch(/gitlab: HTTP 503 for GET state "hello"; retry 2 of 4 in (1(\.\d)?s|2s)\n/);

    gitlab.failNext(503, 5);
    const failed = await runCli(['state', 'pull', 'hello'], { cwd: dir, env });
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).not.toMatch(/[<>]/);
    expect(failed.stderr).toContain(
      'error: GitLab answered HTTP 503 Service Unavailable (GitLab is not responding (503)) for state "hello" of project tinyland/infra\nhint: GitLab is having trouble; run this again later\n',
    );
  });

  it('the GitLab tokens reach no file under the project and no output', async () => {
    expect(filesContaining(dir, TOKEN)).toEqual([]);
    expect(filesContaining(dir, JOB_TOKEN)).toEqual([]);
    expect(outputs.length).toBeGreaterThan(8);
    for (const { stdout, stderr } of outputs) {
      for (const token of [TOKEN, JOB_TOKEN]) {
        expect(stdout).not.toContain(token);
        expect(stderr).not.toContain(token);
      }
    }
  });
});

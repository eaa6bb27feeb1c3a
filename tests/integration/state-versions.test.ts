import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, GetBucketVersioningCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { copyFixture, removeFixtures } from '../support/project.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

const KEY = 'fixtures/hello/terraform.tfstate';

interface VersionRow {
  versionId: string;
  serial: number | null;
  lineage: string | null;
  latest: boolean;
  deleteMarker: boolean;
  size: number;
}

function sdk(s3: LocalS3): S3Client {
  return new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
}

/** A test S3 server with versioning enabled on its bucket, and an SDK client for it. */
async function versionedS3(): Promise<{ s3: LocalS3; client: S3Client }> {
  const s3 = await startLocalS3({ versioning: true });
  const client = sdk(s3);
  await client.send(new PutBucketVersioningCommand({ Bucket: s3.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return { s3, client };
}

/** `state versions hello --json`, which must succeed. */
async function stateVersions(dir: string, env: Record<string, string>): Promise<{ deleted: boolean; versions: VersionRow[] }> {
  const listed = await runCli(['state', 'versions', 'hello', '--json'], { cwd: dir, env });
  expect(listed.exitCode, listed.stderr).toBe(0);
  return JSON.parse(listed.stdout);
}

const setGreeting = (dir: string, text: string) => writeFileSync(path.join(dir, 'modules/hello/dev.tfvars'), `greeting = "${text}"\n`);

describe('state versions, pull and restore on a bucket with versioning', () => {
  let s3: LocalS3;
  let client: S3Client;
  let dir: string;
  let env: Record<string, string>;
  const greetings = ['first greeting', 'second greeting', 'third greeting'];

  const versions = async () => (await stateVersions(dir, env)).versions;

  beforeAll(async () => {
    ({ s3, client } = await versionedS3());
    dir = copyFixture('basic');
    env = { ...s3.env, ENV: 'dev' };
    // Three applies, each with another greeting: three states of one lineage.
    for (const greeting of greetings) {
      setGreeting(dir, greeting);
      const apply = await runCli(['apply', 'hello', '--auto-approve'], { cwd: dir, env });
      if (![0, 2].includes(apply.exitCode)) throw new Error(apply.stderr);
    }
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
    removeFixtures();
  });

  it('the test server speaks GetBucketVersioning as AWS does', async () => {
    expect((await client.send(new GetBucketVersioningCommand({ Bucket: s3.bucket }))).Status).toBe('Enabled');
  });

  it('lists every version of the state newest first, with serial, lineage, size and version id', async () => {
    const rows = await versions();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const serials = rows.map((r) => r.serial!);
    expect([...serials].sort((a, b) => b - a)).toEqual(serials);
    expect(new Set(rows.map((r) => r.lineage)).size).toBe(1);
    expect(rows[0]!.latest).toBe(true);
    expect(rows.slice(1).every((r) => !r.latest && r.size > 0)).toBe(true);
    // The lock object tofu wrote and removed is another key: not listed.
    expect(rows.every((r) => !r.deleteMarker)).toBe(true);

    const table = await runCli(['state', 'versions', 'hello'], { cwd: dir, env });
    expect(table.stdout).toContain(`hello (ENV dev): s3://state/${KEY}, ${rows.length} versions`);
    expect(table.stdout).toMatch(/^TIME\s+SIZE\s+SERIAL\s+LINEAGE\s+VERSION ID$/m);
    expect(table.stdout).toContain(`${rows[0]!.versionId} (current)`);
  });

  it('pull prints the current state, and --version-id --out writes an earlier one to a 0600 file', async () => {
    const current = await runCli(['state', 'pull', 'hello'], { cwd: dir, env });
    expect(current.exitCode, current.stderr).toBe(0);
    expect(JSON.parse(current.stdout).outputs.greeting.value).toBe('third greeting');

    const oldest = (await versions()).at(-1)!;
    const out = path.join(dir, 'old.tfstate');
    const pulled = await runCli(['state', 'pull', 'hello', '--version-id', oldest.versionId, '--out', out], { cwd: dir, env });
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    expect(pulled.stdout).toBe('');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(out, 'utf8')).serial).toBe(oldest.serial);
  });

  it('restore without --yes and without a terminal refuses, and writes nothing', async () => {
    const before = await versions();
    const restore = await runCli(['state', 'restore', 'hello', '--version-id', before.at(-1)!.versionId], { cwd: dir, env });
    expect(restore.exitCode).toBe(1);
    expect(restore.stderr).toBe('error: state restore needs a confirmation and there is no terminal to ask on\nhint: pass --yes to restore without asking\n');
    expect(await versions()).toEqual(before);
  });

  it('restore --yes writes the earlier state back as a new version with the next serial, after showing the serial change', async () => {
    const before = await versions();
    const target = before.find((r) => r.serial !== null && JSON.parse(readFileSync(path.join(dir, 'old.tfstate'), 'utf8')).serial === r.serial)!;
    const current = before[0]!;
    const restore = await runCli(['state', 'restore', 'hello', '--version-id', target.versionId, '--yes'], { cwd: dir, env });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restore version ${target.versionId} (serial ${target.serial}`);
    expect(restore.stdout).toContain(`serial ${current.serial} -> ${current.serial! + 1}`);

    const after = await versions();
    expect(after.length).toBe(before.length + 1);
    expect(after[0]).toMatchObject({ serial: current.serial! + 1, lineage: current.lineage, latest: true });
    const state = JSON.parse(await s3.read(KEY));
    expect(state.outputs.greeting.value).toBe('first greeting');
    expect(state.lineage).toBe(current.lineage);
    // The state tofu now reads is the restored one: putting back the third greeting is a change.
    const plan = await runCli(['plan', 'hello', '--json'], { cwd: dir, env });
    expect(JSON.parse(plan.stdout).stacks[0].summary.change + JSON.parse(plan.stdout).stacks[0].summary.add).toBeGreaterThan(0);
  });

  it('restore of a version from another lineage: a clear error, exit 1, nothing written', async () => {
    const ours = await versions();
    // Someone wrote another stack's state over this key: its lineage is not ours.
    const foreign = { version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-1111-2222-3333-444444444444', outputs: {}, resources: [], check_results: null };
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: KEY, Body: JSON.stringify(foreign) }));
    const before = await versions();
    const currentBody = await s3.read(KEY);
    const restore = await runCli(['state', 'restore', 'hello', '--version-id', ours[0]!.versionId, '--yes'], { cwd: dir, env });
    expect(restore.exitCode).toBe(1);
    expect(restore.stderr).toBe(
      `error: version ${ours[0]!.versionId} has lineage ${ours[0]!.lineage}, but the current state has lineage ${foreign.lineage}: it is another state, not an earlier one of this stack\n` +
        `hint: pick a version with the current lineage ("foundation state versions <stack>" shows each one's lineage)\n`,
    );
    expect(await versions()).toEqual(before);
    expect(await s3.read(KEY)).toBe(currentBody);
  });

  it('an unknown version id is a clear error', async () => {
    const restore = await runCli(['state', 'restore', 'hello', '--version-id', 'no-such-version', '--yes'], { cwd: dir, env });
    expect(restore.exitCode).toBe(1);
    expect(restore.stderr).toMatch(/^error: there is no version "no-such-version" of s3:\/\/state\/fixtures\/hello\/terraform\.tfstate\nhint: list the versions/);
  });
});

/** Every version and delete marker of every key, with each version's bytes: what "nothing written" is checked against. */
async function bucketSnapshot(client: S3Client, bucket: string): Promise<string[]> {
  const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  const rows: string[] = (listed.DeleteMarkers ?? []).map((m) => `${m.Key} ${m.VersionId} marker latest=${m.IsLatest}`);
  for (const v of listed.Versions ?? []) {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: v.Key, VersionId: v.VersionId }));
    rows.push(`${v.Key} ${v.VersionId} latest=${v.IsLatest} ${await got.Body!.transformToString()}`);
  }
  return rows.sort();
}

describe('a deleted state (its current version a delete marker, as AWS, MinIO and RustFS keep it)', () => {
  let s3: LocalS3;
  let client: S3Client;
  let dir: string;
  let env: Record<string, string>;
  let marker: string;
  let first: VersionRow;

  const versions = () => stateVersions(dir, env);

  beforeAll(async () => {
    ({ s3, client } = await versionedS3());
    dir = copyFixture('basic');
    env = { ...s3.env, ENV: 'dev' };
    for (const text of ['kept greeting', 'later greeting']) {
      setGreeting(dir, text);
      const apply = await runCli(['apply', 'hello', '--auto-approve'], { cwd: dir, env });
      if (apply.exitCode !== 0) throw new Error(apply.stderr);
    }
    // The first state tofu wrote with the kept greeting is the one brought back; the repository says it again.
    first = (await versions()).versions.filter((v) => v.serial !== null).at(-1)!;
    setGreeting(dir, 'kept greeting');
    const deleted = await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: KEY }));
    marker = deleted.VersionId!;
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
    removeFixtures();
  });

  it('state versions shows the delete marker as the current version and says the state is deleted', async () => {
    const { deleted, versions: rows } = await versions();
    expect(deleted).toBe(true);
    expect(rows[0]).toMatchObject({ versionId: marker, deleteMarker: true, latest: true, serial: null, lineage: null });
    expect(rows.slice(1).every((r) => !r.deleteMarker && r.serial !== null)).toBe(true);

    const table = await runCli(['state', 'versions', 'hello'], { cwd: dir, env });
    expect(table.exitCode, table.stderr).toBe(0);
    expect(table.stdout).toContain(`hello (ENV dev): s3://state/${KEY}, ${rows.length} versions; the state is DELETED (its current version is a delete marker)`);
    expect(table.stdout).toMatch(new RegExp(`^\\S+\\s+-\\s+\\(deleted\\)\\s+-\\s+${marker} \\(current\\)$`, 'm'));
    expect(table.stdout).toContain('bring a version back: foundation state restore hello --version-id <id>');
  });

  it('state pull of the deleted state says so, exit 1', async () => {
    const pulled = await runCli(['state', 'pull', 'hello'], { cwd: dir, env });
    expect(pulled.exitCode).toBe(1);
    expect(pulled.stderr).toBe(
      `error: the state of stack "hello" in ENV dev was deleted: the current version of s3://state/${KEY} is a delete marker\n` +
        'hint: "foundation state versions hello" lists the versions before it; "foundation state restore hello --version-id <id>" brings one back\n',
    );
  });

  it("state pull and state restore with the delete marker's id: one line, exit 1, every object byte-identical", async () => {
    const before = await bucketSnapshot(client, s3.bucket);
    const out = path.join(dir, 'marker.tfstate');
    for (const args of [
      ['state', 'pull', 'hello', '--version-id', marker, '--out', out],
      ['state', 'restore', 'hello', '--version-id', marker, '--yes'],
    ]) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `error: version "${marker}" of s3://state/${KEY} is a delete marker: the state was deleted there, it holds no state to read\n` +
          'hint: pick a version with a serial; "foundation state versions <stack>" lists them, delete markers as "(deleted)"\n',
      );
    }
    expect(existsSync(out)).toBe(false);
    expect(await bucketSnapshot(client, s3.bucket)).toEqual(before);
  });

  it('state restore --yes brings an earlier version back as the current one, with a serial above every earlier one; the marker stays; plan shows no changes', async () => {
    const before = await versions();
    const highest = Math.max(...before.versions.map((v) => v.serial ?? 0));
    expect(first.serial).toBeLessThan(highest); // the version brought back is not the newest one

    const restore = await runCli(['state', 'restore', 'hello', '--version-id', first.versionId, '--yes'], { cwd: dir, env });
    expect(restore.exitCode, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restore version ${first.versionId} (serial ${first.serial}`);
    expect(restore.stdout).toContain(`over the deleted state (its current version is delete marker ${marker}; highest serial among the versions ${highest})`);
    expect(restore.stdout).toContain(`serial ${highest} -> ${highest + 1}: the earlier content is written as a new version; the delete marker stays in the bucket's history`);

    const after = await versions();
    expect(after.deleted).toBe(false);
    expect(after.versions[0]).toMatchObject({ latest: true, deleteMarker: false, serial: highest + 1, lineage: first.lineage });
    expect(after.versions.every((v) => v === after.versions[0] || (v.serial ?? 0) < after.versions[0]!.serial!)).toBe(true);
    expect(after.versions.find((v) => v.versionId === marker)).toMatchObject({ deleteMarker: true, latest: false });
    expect(JSON.parse(await s3.read(KEY)).outputs.greeting.value).toBe('kept greeting');

    const plan = await runCli(['plan', 'hello', '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.exitCode, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain('hello (ENV dev): no changes');
  });
});

describe('state versions where the bucket keeps none', () => {
  let plain: LocalS3;
  let off: LocalS3;
  let dir: string;

  beforeAll(async () => {
    plain = await startLocalS3();
    off = await startLocalS3({ versioning: true });
    dir = copyFixture('basic');
  });
  afterAll(async () => {
    await plain.stop();
    await off.stop();
    removeFixtures();
  });

  it('a server without versioning (plain s3rver reads as never enabled): versions, pull --version-id and restore say versioning is off, exit 1', async () => {
    const env = { ...plain.env, ENV: 'dev' };
    for (const args of [['state', 'versions', 'hello'], ['state', 'restore', 'hello', '--version-id', 'v1', '--yes'], ['state', 'pull', 'hello', '--version-id', 'v1']]) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/^error: bucket "state" keeps no state versions: versioning is off\nhint: enable versioning on the bucket/);
    }
  });

  it('a bucket whose versioning was suspended: says so, exit 1', async () => {
    const client = new S3Client({ endpoint: off.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: off.accessKeyId, secretAccessKey: off.secretAccessKey } });
    await client.send(new PutBucketVersioningCommand({ Bucket: off.bucket, VersioningConfiguration: { Status: 'Suspended' } }));
    client.destroy();
    const result = await runCli(['state', 'versions', 'hello'], { cwd: dir, env: { ...off.env, ENV: 'dev' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('error: bucket "state" keeps no state versions: versioning is suspended\nhint: enable versioning on the bucket');
  });
});

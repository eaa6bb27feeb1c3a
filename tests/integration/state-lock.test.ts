import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, runCli, spawnCli } from '../support/cli.js';
import { useS3Project } from '../support/s3.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { processAlive, waitFor } from '../support/wait.js';

const LOCK = 'dev/sleeper/terraform.tfstate.tflock';

// After a crash: foundation is SIGKILLed mid-apply (OOM, a lost runner); tofu dies on its
// next write to the closed pipe and leaves the S3 lock object behind.
describe('state lock / state unlock after a killed foundation', () => {
  const project = useS3Project();

  async function crashMidApply(): Promise<void> {
    const recorder = tofuRecorder();
    const child = spawnCli(['apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env: { ...project.env, FOUNDATION_TOFU_BIN: recorder.bin } });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => output.includes('(local-exec): sleeper-started'), 'the apply to hold the lock');
    const tofu = recorder.calls().find((c) => c.argv[0] === 'apply')!;
    child.kill('SIGKILL');
    await child;
    // tofu runs on in its own process group until it next writes to the closed pipe
    await waitFor(() => !processAlive(tofu.pid), 'tofu to die on the closed pipe', 60_000);
    expect(await project.s3.keys()).toContain(LOCK);
  }

  /** Moves the lock's Created back, as if the crash were an hour ago. */
  async function ageLock(ms: number): Promise<void> {
    const lock = JSON.parse(await project.s3.read(LOCK));
    lock.Created = new Date(Date.parse(lock.Created) - ms).toISOString();
    const client = new S3Client({ endpoint: project.s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: project.s3.accessKeyId, secretAccessKey: project.s3.secretAccessKey } });
    await client.send(new PutObjectCommand({ Bucket: project.s3.bucket, Key: LOCK, Body: JSON.stringify(lock) }));
    client.destroy();
  }

  const unlockInTerminal = (answer: string) => {
    const run = execa('script', ['-qefc', `exec ${process.execPath} ${CLI} state unlock sleeper`, '/dev/null'], { cwd: project.dir, env: baseEnv(project.env), extendEnv: false, reject: false, stdin: 'pipe' });
    let screen = '';
    run.stdout!.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (screen.includes("Only 'yes' will be accepted")) run.stdin!.end(`${answer}\n`);
    });
    return run.then((result) => ({ exitCode: result.exitCode, screen: screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '') }));
  };

  it('shows the lock, names it on the next run, refuses the unsafe unlocks and releases it after a yes', async () => {
    await crashMidApply();
    const object = JSON.parse(await project.s3.read(LOCK));
    // the shape tofu's statemgr.LockInfo writes
    expect(Object.keys(object).sort()).toEqual(['Created', 'ID', 'Info', 'Operation', 'Path', 'Version', 'Who']);

    const shown = await runCli(['state', 'lock', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^sleeper \(ENV dev\): state dev\/sleeper\/terraform\.tfstate is locked, held by \S+@\S+ for apply, \d+s ago \(.+Z\)$/m);
    expect(shown.stdout).toMatch(new RegExp(`^ID +${object.ID}$`, 'm'));
    const json = JSON.parse((await runCli(['state', 'lock', 'sleeper', '--json'], { cwd: project.dir, env: project.env })).stdout);
    expect(json).toMatchObject({ stack: 'sleeper', env: 'dev', stateKey: 'dev/sleeper/terraform.tfstate', lock: { id: object.ID, operation: 'OperationTypeApply', who: object.Who, key: LOCK } });
    expect(json.lock.ageMs).toBeGreaterThanOrEqual(0);

    // the next run fails on the lock; the hint names the holder and the commands (the killed run's own run lock is taken over)
    const blocked = await runCli(['apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env: project.env });
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr.trimEnd().split('\n').at(-1)).toMatch(/^hint: the state lock is held by \S+@\S+ \(apply\) since .+; if that run is gone \(killed, crashed\), "foundation state lock sleeper" shows the lock and "foundation state unlock sleeper" releases it$/);

    const inCI = await runCli(['state', 'unlock', 'sleeper'], { cwd: project.dir, env: { ...project.env, CI: 'true' } });
    expect(inCI.exitCode).toBe(3);
    expect(inCI.stderr).toMatch(/^error: unlocking the state lock of stack "sleeper" \(ENV dev\) is refused in CI without --force\nhint: /);
    const young = await runCli(['state', 'unlock', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(young.exitCode).toBe(3);
    expect(young.stderr).toMatch(/^error: the state lock of stack "sleeper" \(ENV dev\) is only \d+s old: the run holding it may still be working\nhint: .*pass --force/);
    expect(await project.s3.keys()).toContain(LOCK);

    await ageLock(3_600_000);
    const noTerminal = await runCli(['state', 'unlock', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(noTerminal.exitCode).toBe(1);
    expect(noTerminal.stderr).toMatch(/^error: unlocking the state lock of stack "sleeper" \(ENV dev\) needs a terminal to confirm in\n/);
    const declined = await unlockInTerminal('no');
    expect(declined.exitCode, declined.screen).toBe(1);
    expect(declined.screen).toContain('error: unlock cancelled: the lock is still held');
    expect(await project.s3.keys()).toContain(LOCK);

    const released = await unlockInTerminal('yes');
    expect(released.exitCode, released.screen).toBe(0);
    expect(released.screen).toMatch(/held by \S+@\S+ for apply, 1h 0m ago/);
    expect(released.screen).toContain(`sleeper (ENV dev): state lock ${object.ID} released`);
    expect(await project.s3.keys()).not.toContain(LOCK);

    const none = await runCli(['state', 'lock', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toMatch(/^error: stack "sleeper" \(ENV dev\) has no state lock/);
    const plan = await runCli(['plan', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(plan.exitCode, plan.stderr).toBe(0);
  });

  it('--force releases a fresh lock, in CI too', async () => {
    await crashMidApply();
    const id = JSON.parse(await project.s3.read(LOCK)).ID;
    const forced = await runCli(['state', 'unlock', 'sleeper', '--force'], { cwd: project.dir, env: { ...project.env, CI: 'true' } });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`sleeper (ENV dev): state lock ${id} released`);
    expect(await project.s3.keys()).not.toContain(LOCK);
  });
});

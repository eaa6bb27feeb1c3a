import { execa, type ResultPromise } from 'execa';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, runCli, spawnCli } from '../support/cli.js';
import { interruptsSeen } from '../support/interrupts.js';
import { useS3Project } from '../support/s3.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { processAlive, waitFor } from '../support/wait.js';

const LOCK = 'dev/sleeper/terraform.tfstate.tflock';
const STATE = 'dev/sleeper/terraform.tfstate';

// Every way an operator or a CI runner stops a run: tofu sees exactly one interrupt for
// the first signal (a second signal is the second interrupt), stops gracefully, writes its
// state and releases the lock; foundation waits for it and exits 1.
describe('signals during apply', () => {
  const project = useS3Project();

  /** Starts `apply sleeper`, waits until tofu runs the slow provisioner, returns how to read the output. */
  async function startApply(start: (env: Record<string, string | undefined>) => ResultPromise) {
    const recorder = tofuRecorder();
    const child = start({ ...project.env, FOUNDATION_TOFU_BIN: recorder.bin });
    let output = '';
    // tofu colours its output in a terminal: compare the text
    const add = (chunk: Buffer) => (output += chunk.toString().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''));
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
    await waitFor(() => output.includes('(local-exec): sleeper-started'), 'the local-exec sleep to start', 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; output so far:\n${output}`);
    });
    expect(await project.s3.keys()).toContain(LOCK); // tofu holds the state lock while it applies
    const apply = recorder.calls().find((c) => c.argv[0] === 'apply')!;
    expect(processAlive(apply.pid)).toBe(true);
    return { child, apply, output: () => output };
  }

  /** What every interrupted run must leave: tofu gone, lock released, state readable, next plan fine. */
  async function expectStoppedCleanly(result: { exitCode?: number }, output: string, tofuPid: number, interrupts = 1) {
    expect(result.exitCode, output).toBe(1);
    expect(interruptsSeen(output), output).toBe(interrupts);
    expect(output).not.toContain('(local-exec): sleeper-done');
    expect(processAlive(tofuPid)).toBe(false);
    expect(await project.s3.keys()).not.toContain(LOCK);
    const runLocks = path.join(project.dir, '.foundation/locks/dev');
    expect(existsSync(runLocks) ? readdirSync(runLocks) : []).toEqual([]);
    if (interrupts === 1) {
      // a graceful stop wrote what it did: the resource is in state (tainted: its provisioner was cut)
      const state = JSON.parse(await project.s3.read(STATE));
      expect(state.resources.map((r: { type: string; name: string }) => `${r.type}.${r.name}`)).toEqual(['terraform_data.slow']);
    }
    const plan = await runCli(['plan', 'sleeper'], { cwd: project.dir, env: project.env });
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.stderr).not.toContain('Error acquiring the state lock');
  }

  it('SIGTERM to foundation: one interrupt reaches tofu', async () => {
    const run = await startApply((env) => spawnCli(['apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env }));
    process.kill(run.child.pid!, 'SIGTERM'); // not execa's kill(): it SIGKILLs 5 s later
    await expectStoppedCleanly(await run.child, run.output(), run.apply.pid);
  });

  it('SIGTERM to the whole process group (a CI runner cancelling the job): still one interrupt', async () => {
    // foundation leads its own group here, as the job's shell does under a runner
    const run = await startApply((env) =>
      execa(process.execPath, [CLI, 'apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env: baseEnv(env), extendEnv: false, reject: false, stdin: 'ignore', detached: true }),
    );
    const pgid = run.child.pid!;
    expect(pgid).toBeGreaterThan(1);
    process.kill(-pgid, 'SIGTERM'); // kill -TERM -<pgid>
    await expectStoppedCleanly(await run.child, run.output(), run.apply.pid);
  });

  it('SIGINT without a terminal: one interrupt', async () => {
    const run = await startApply((env) => spawnCli(['apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env }));
    process.kill(run.child.pid!, 'SIGINT');
    await expectStoppedCleanly(await run.child, run.output(), run.apply.pid);
  });

  it('Ctrl-C in a terminal (script gives a real pty): one interrupt', async () => {
    const command = `exec ${process.execPath} ${CLI} apply sleeper --auto-approve`;
    const run = await startApply((env) => execa('script', ['-qefc', command, '/dev/null'], { cwd: project.dir, env: baseEnv(env), extendEnv: false, reject: false, stdin: 'pipe' }));
    run.child.stdin!.write('\x03'); // the terminal's interrupt character: SIGINT to the foreground group
    await expectStoppedCleanly(await run.child, run.output(), run.apply.pid);
  });

  it('SIGINT to foundation\'s pid while it runs in a terminal: one interrupt', async () => {
    const command = `echo "foundation-pid=$$"; exec ${process.execPath} ${CLI} apply sleeper --auto-approve`;
    const run = await startApply((env) => execa('script', ['-qefc', command, '/dev/null'], { cwd: project.dir, env: baseEnv(env), extendEnv: false, reject: false, stdin: 'pipe' }));
    const pid = Number(/foundation-pid=(\d+)/.exec(run.output())![1]);
    process.kill(pid, 'SIGINT');
    await expectStoppedCleanly(await run.child, run.output(), run.apply.pid);
  });

  it('a second signal is forwarded as tofu\'s second interrupt ("exit now"), never a SIGKILL', async () => {
    const run = await startApply((env) => spawnCli(['apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env }));
    // Hold tofu inside its graceful stop: the state write after the first interrupt waits here,
    // so the second signal always lands while tofu is still running.
    const hold = project.s3.holdWrites(STATE);
    // process.kill, not execa's kill(), which would SIGKILL foundation 5 s after the first signal
    try {
      process.kill(run.child.pid!, 'SIGTERM');
      await hold.arrived;
      // tofu's own "Interrupt received." may reach us just after its state write does
      await waitFor(() => interruptsSeen(run.output()) === 1, 'tofu to report the first interrupt');
      process.kill(run.child.pid!, 'SIGHUP');
      const result = await run.child;
      expect({ exitCode: result.exitCode, signal: result.signal }, run.output()).toEqual({ exitCode: 1, signal: undefined });
      expect(interruptsSeen(run.output()), run.output()).toBe(2);
      expect(run.output()).toContain('Two interrupts received. Exiting immediately.');
      expect(processAlive(run.apply.pid)).toBe(false);
    } finally {
      hold.release();
    }
  });
});

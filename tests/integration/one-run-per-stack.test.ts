import { execa } from 'execa';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { copyFixture } from '../support/project.js';
import { useS3Project } from '../support/s3.js';
import { waitFor } from '../support/wait.js';

const HELD_BY = /^error: stack "hello" \(ENV staging\) is held by another foundation run: pid \d+ \(foundation apply hello\) on \S+ since \S+$/m;
// ENV staging: the hello stack has no var file there, so TF_VAR_greeting decides each run's plan.
const STAGING = ['--env', 'staging'];
const STATE = 'staging/hello/terraform.tfstate';

async function both(runs: Array<Promise<{ exitCode?: number; stdout: unknown; stderr: unknown }>>): Promise<CliResult[]> {
  return (await Promise.all(runs)).map((r) => ({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) }));
}

describe('one run per stack and ENV in a checkout', () => {
  const project = useS3Project();

  it('two applies started together, 10 rounds: one applies the plan it showed, the other says who holds the stack', async () => {
    for (let round = 1; round <= 10; round++) {
      // each run wants its own greeting, so the plan each one shows is its own
      const greetings = [`round-${round}-a`, `round-${round}-b`];
      // The winner's state write waits until the other run has ended, so the two overlap however
      // slow the machine: without it, a run delayed by load could start after the first had finished.
      const hold = project.s3.holdWrites(STATE);
      const runs = greetings.map((greeting) => spawnCli(['apply', 'hello', ...STAGING, '--auto-approve'], { cwd: project.dir, env: { ...project.env, TF_VAR_greeting: greeting } }));
      // Bounded, so two runs that both got past the lock (both held here) fail the assertions below, not the timeout.
      const bound = new AbortController();
      await Promise.race([...runs, delay(120_000, undefined, { signal: bound.signal }).catch(() => undefined)]);
      bound.abort();
      hold.release();
      const results = await both(runs);
      const all = results.map((r) => r.stdout + r.stderr).join('\n');
      expect(all).not.toMatch(/ENOENT|looks like a bug/);
      const appliers = results.flatMap((r, i) => (r.exitCode === 0 ? [i] : []));
      expect(appliers, `round ${round}:\n${all}`).toHaveLength(1);
      const [winner] = appliers as [number];
      const loser = results[1 - winner]!;
      expect(loser.exitCode, loser.stderr).toBe(1);
      expect(loser.stderr).toMatch(HELD_BY);
      expect(loser.stderr).toMatch(/^hint: wait for that run to finish, or pass --wait/m);
      // the plan applied is the plan shown: the winner showed its greeting, and state holds it
      const shown = results[winner]!.stdout.slice(0, results[winner]!.stdout.indexOf('Apply complete!'));
      expect(shown).toMatch(new RegExp(`(\\+ input += |-> )"${greetings[winner]}"`));
      expect(shown).not.toContain(greetings[1 - winner]);
      const state = JSON.parse(await project.s3.read(STATE));
      expect(state.outputs.greeting.value, `round ${round}`).toBe(greetings[winner]);
    }
  }, 900_000); // twenty whole applies: room on a busy machine

  it('--wait waits for the holder instead, then runs', async () => {
    const results = await both(
      ['wait-a', 'wait-b'].map((greeting) => spawnCli(['apply', 'hello', ...STAGING, '--auto-approve', '--wait'], { cwd: project.dir, env: { ...project.env, TF_VAR_greeting: greeting } })),
    );
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0);
    expect(results.map((r) => r.stderr).join('\n')).toMatch(/^waiting for stack "hello" \(ENV staging\), held by pid \d+ \(foundation apply hello\)/m);
  });

  it('a plan cannot replace the plan an apply is showing; a plan file changed behind its back is not applied', async () => {
    const planFile = path.join(project.dir, '.foundation/plans/staging/hello.tfplan');
    // an apply waiting at its prompt, in a terminal
    const apply = execa('script', ['-qefc', `exec ${process.execPath} ${CLI} apply hello --env staging`, '/dev/null'], {
      cwd: project.dir,
      env: baseEnv({ ...project.env, TF_VAR_greeting: 'shown' }),
      extendEnv: false,
      reject: false,
      stdin: 'pipe',
    });
    let screen = '';
    apply.stdout!.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    await waitFor(() => screen.includes("Only 'yes' will be accepted"), 'the apply prompt', 30_000).catch((error: Error) => {
      throw new Error(`${error.message}:\n${screen}`);
    });

    const plan = await runCli(['plan', 'hello', ...STAGING], { cwd: project.dir, env: { ...project.env, TF_VAR_greeting: 'sneaky' } });
    expect(plan.exitCode).toBe(1);
    expect(plan.stderr).toMatch(/^error: stack "hello" \(ENV staging\) is held by another foundation run: pid \d+ \(foundation apply hello\)/);

    // something else (not foundation) rewrites the plan file while the prompt waits
    writeFileSync(planFile, Buffer.concat([readFileSync(planFile), Buffer.from('tampered')]));
    apply.stdin!.write('yes\n');
    const result = await apply;
    const text = String(screen).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    expect(result.exitCode, text).toBe(1);
    expect(text).toContain('error: the plan file of stack "hello" changed after it was shown');
    const state = JSON.parse(await project.s3.read(STATE));
    expect(state.outputs.greeting.value).not.toBe('shown');
  });

  it('a run lock left by a killed run is taken over', async () => {
    const lock = path.join(project.dir, '.foundation/locks/dev/hello.lock');
    mkdirSync(path.dirname(lock), { recursive: true });
    // a pid that is not running (the kernel's pid_max is far below it)
    writeFileSync(lock, `${JSON.stringify({ pid: 2 ** 22 + 17, startTime: '1', host: (await import('node:os')).hostname(), command: 'foundation apply hello', since: '2026-01-01T00:00:00.000Z' })}\n`);
    const plan = await runCli(['plan', 'hello'], { cwd: project.dir, env: project.env });
    expect(plan.exitCode, plan.stderr).toBe(0);
  });
});

// tofu's own S3 lock keeps two checkouts apart: the test S3 server honours If-None-Match
// as AWS, MinIO and RustFS do, so exactly one apply gets the state lock.
describe('two checkouts, one state', () => {
  const project = useS3Project();

  it('two applies from two checkouts at once: exactly one applies', async () => {
    const second = copyFixture('basic');
    const env = { ...project.env, TF_VAR_sleep_seconds: '3' };
    const results = await both([project.dir, second].map((cwd) => spawnCli(['apply', 'sleeper', '--auto-approve', '--json'], { cwd, env })));
    const all = results.map((r) => r.stderr).join('\n');
    const appliers = results.filter((r) => r.exitCode === 0);
    expect(appliers, all).toHaveLength(1);
    expect(JSON.parse(appliers[0]!.stdout).stacks[0].status).toBe('applied');
    const other = results.find((r) => r.exitCode !== 0)!;
    expect(other.exitCode).toBe(1);
    // it lost the state lock (at plan or apply), or its plan went stale behind the winner's apply
    expect(other.stderr).toMatch(/Error acquiring the state lock|Saved plan is stale/);
    const state = JSON.parse(await project.s3.read('dev/sleeper/terraform.tfstate'));
    expect(state.resources).toHaveLength(1);
    expect(await project.s3.keys()).not.toContain('dev/sleeper/terraform.tfstate.tflock');
  });

  it('the lock error names the holder and the way out', async () => {
    const second = copyFixture('basic');
    const env = { ...project.env, TF_VAR_sleep_seconds: '1' };
    // A fresh state (ENV staging): the first apply creates the resource, and its state write is
    // held at the S3 server, so it holds the lock for as long as the second run needs, however slow the machine.
    const hold = project.s3.holdWrites('staging/sleeper/terraform.tfstate');
    try {
      const first = spawnCli(['apply', 'sleeper', '--env', 'staging', '--auto-approve'], { cwd: project.dir, env });
      await hold.arrived;
      const blocked = await runCli(['plan', 'sleeper', '--env', 'staging'], { cwd: second, env });
      expect(blocked.exitCode).toBe(1);
      const tail = blocked.stderr.trimEnd().split('\n').slice(-2);
      expect(tail[0]).toBe('error: tofu plan failed for stack "sleeper" (exit 1)');
      expect(tail[1]).toMatch(/^hint: the state lock is held by \S+@\S+ \(apply\) since .+; if that run is gone \(killed, crashed\), "foundation state lock sleeper" shows the lock and "foundation state unlock sleeper" releases it$/);
      hold.release();
      expect((await first).exitCode).toBe(0);
    } finally {
      hold.release();
    }
  });
});

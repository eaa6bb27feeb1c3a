import { describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../support/cli.js';
import { useS3Project } from '../support/s3.js';
import { tofuRecorder } from '../support/tofu-recorder.js';
import { processAlive, waitFor } from '../support/wait.js';

describe('signals during apply', () => {
  const project = useS3Project();

  it('SIGTERM mid-apply: tofu stops on its own, the lock is released, and the next plan works', async () => {
    const recorder = tofuRecorder();
    const child = spawnCli(['apply', 'sleeper', '--auto-approve'], { cwd: project.dir, env: { ...project.env, FOUNDATION_TOFU_BIN: recorder.bin } });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await waitFor(() => output.includes('(local-exec): sleeper-started'), 'the local-exec sleep to start');
    const lock = 'dev/sleeper/terraform.tfstate.tflock';
    expect(await project.s3.keys()).toContain(lock); // tofu holds the state lock while it applies
    const apply = recorder.calls().find((c) => c.argv[0] === 'apply')!;
    expect(processAlive(apply.pid)).toBe(true);

    child.kill('SIGTERM');
    const result = await child;

    // foundation waited for tofu and returned tofu's own exit code
    expect(result.exitCode).toBe(1);
    expect(output).toContain('Interrupt received');
    expect(output).toContain('Gracefully shutting down');
    expect(output).not.toMatch(/\(local-exec\): sleeper-done/);
    expect(output).not.toContain('Two interrupts received'); // one signal, never two
    expect(processAlive(apply.pid)).toBe(false);
    expect(await project.s3.keys()).not.toContain(lock);

    const plan = await runCli(['plan', 'sleeper', '--json'], { cwd: project.dir, env: project.env });
    expect([0, 2], plan.stderr).toContain(plan.exitCode);
    expect(plan.stderr).not.toContain('Error acquiring the state lock');
  });
});

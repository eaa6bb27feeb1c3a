import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { baseEnv, REPO_ROOT } from '../support/cli.js';

describe('npm run sandbox', () => {
  it('runs materialize, init, plan, apply and a clean plan against a local S3 server', async () => {
    const result = await execa(process.execPath, [path.join(REPO_ROOT, 'examples/sandbox/run.js')], { env: baseEnv(), extendEnv: false, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('sandbox (ENV sandbox): applied: 2 to add, 0 to change, 0 to destroy, 1 output changed');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('sandbox: materialize, init, plan, apply and a clean plan all worked against a local S3 server.');
  });
});

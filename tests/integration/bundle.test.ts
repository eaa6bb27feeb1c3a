import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { loadedModules, TRACE_MODULES } from '../support/module-trace.js';
import { copyFixture, removeFixtures } from '../support/project.js';

// dist/ is two esbuild bundles (scripts/build.mjs): these check what a user would notice if the
// bundle lost its source maps, pulled a lazily loaded library onto every run, or mishandled
// its code cache.

/** Runs `node bin/foundation.js ...args` with the module trace: its exit code, stderr and the heavy libraries it loaded. */
async function runTraced(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const result = await runCli(args, { cwd, env: { ...env, ...TRACE_MODULES } });
  return { exitCode: result.exitCode, stderr: result.stderr, loaded: loadedModules(result.stderr) };
}

const HEAVY = ['@aws-sdk/client-s3', '@kubernetes/client-node', '@gitbeaker/rest', 'listr2'];

describe('the bundled CLI', () => {
  afterAll(() => removeFixtures());

  it('--debug prints the stack trace with the TypeScript sources, without --debug none', async () => {
    const withDebug = await runCli(['plan', 'nosuch', '--debug'], { cwd: REPO_ROOT, env: { ENV: 'dev' } });
    expect(withDebug.exitCode).toBe(1);
    expect(withDebug.stderr).toMatch(/^error: unknown stack "nosuch"$/m);
    expect(withDebug.stderr).toMatch(/\n\s+at requireStack \(.*src\/config\/resolve\.ts:\d+:\d+\)/);
    expect(withDebug.stderr).not.toMatch(/dist\/[^\n]*\.c?js:\d+/);

    const plain = await runCli(['plan', 'nosuch'], { cwd: REPO_ROOT, env: { ENV: 'dev' } });
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    // The error is reported as the operator's (one app bundle per process: one FoundationError class).
    expect(plain.stderr).toMatch(/^hint: known stacks: /m);
  });

  it('keeps compiled code in $XDG_CACHE_HOME/foundation/code: written once, used after, junk in it only costs time', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'foundation-code-cache-'));
    try {
      const env = { ENV: 'dev', XDG_CACHE_HOME: home };
      const stacks = () => runCli(['stacks', '--json'], { cwd: REPO_ROOT, env });
      const first = await stacks();
      expect(first.exitCode, first.stderr).toBe(0);
      // One cache per bundle and command: the command line's (for a run) and the app's for stacks.
      const dir = path.join(home, 'foundation', 'code');
      const caches = readdirSync(dir).sort();
      expect(caches).toEqual([expect.stringMatching(/^app\.cjs-stacks-[0-9a-f]{16}\.bin$/), expect.stringMatching(/^cli\.cjs-run-[0-9a-f]{16}\.bin$/)]);
      const file = path.join(dir, caches[0]!);
      expect(statSync(file).mode & 0o777).toBe(0o600);

      // V8 takes the cache: the second run neither rewrites it nor prints anything else.
      const written = statSync(file).mtimeMs;
      expect(await stacks()).toEqual(first);
      expect(statSync(file).mtimeMs).toBe(written);

      // --help never loads the app bundle: it adds only the command line's help cache.
      expect((await runCli(['--help'], { cwd: REPO_ROOT, env })).exitCode).toBe(0);
      const added = readdirSync(dir).filter((name) => !caches.includes(name));
      expect(added).toEqual([expect.stringMatching(/^cli\.cjs-help-[0-9a-f]{16}\.bin$/)]);

      // A cache V8 rejects (here: junk) is compiled past and written anew.
      writeFileSync(file, 'not a code cache');
      expect(await stacks()).toEqual(first);
      expect(readFileSync(file).length).toBeGreaterThan(1000);

      // A cache others may write is code they could have planted: not run, but replaced by an own one.
      chmodSync(file, 0o666);
      const planted = statSync(file).mtimeMs;
      expect(await stacks()).toEqual(first);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(file).mtimeMs).not.toBe(planted);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('--help and stacks load none of the heavy libraries', async () => {
    // Without a configuration cache, so stacks also takes the path that parses and validates.
    const noCache = { XDG_CACHE_HOME: '/dev/null/none', HOME: '/dev/null/none' };
    for (const args of [['--help'], ['stacks', '--json']]) {
      const { exitCode, stderr, loaded } = await runTraced(args, REPO_ROOT, { ENV: 'dev', ...noCache });
      expect(exitCode, stderr).toBe(0);
      for (const heavy of HEAVY) expect(loaded, args.join(' ')).not.toContain(heavy);
    }
  });

  it('a plan that must probe the bucket does load the AWS SDK (the hook sees lazy imports)', async () => {
    // Not initialized, so the S3 preflight runs; nothing listens on port 9 (discard), so it fails after the import.
    const dir = copyFixture('basic');
    const env = {
      ENV: 'dev',
      TOFU_BACKEND_S3_ENDPOINT: 'http://127.0.0.1:9',
      TOFU_BACKEND_S3_BUCKET: 'state',
      TOFU_BACKEND_S3_ACCESS_KEY: 'AKIDEXAMPLE',
      TOFU_BACKEND_S3_SECRET_KEY: 'not-a-secret',
    };
    const { exitCode, stderr, loaded } = await runTraced(['plan', 'hello'], dir, env);
    expect(exitCode, stderr).toBe(1);
    expect(stderr).toMatch(/^error: the S3 endpoint http:\/\/127\.0\.0\.1:9 is unreachable/m);
    expect(loaded).toContain('@aws-sdk/client-s3');
  });
});

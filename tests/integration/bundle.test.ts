import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, CLI, REPO_ROOT, runCli } from '../support/cli.js';
import { copyFixture, removeFixtures } from '../support/project.js';

// dist/ is an esbuild bundle (scripts/build.mjs): these check what a user would notice if the
// bundle lost its source maps or pulled a lazily loaded library onto every run.

/** An ESM resolve hook that prints every bare package a run imports, one `loaded <name>` line each on stderr. */
const TRACE_IMPORTS = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  if (/^(@[^/]+\\\\/)?[a-z]/.test(specifier) && !specifier.startsWith('node:')) process.stderr.write('loaded ' + specifier + '\\\\n');
  return next(specifier, context);
}\`));
`)}`;

/** Runs `node bin/foundation.js ...args` with the hook: its exit code, stderr and the packages it imported. */
async function runTraced(args: string[], cwd: string, env: Record<string, string | undefined>) {
  const result = await execa(process.execPath, ['--import', TRACE_IMPORTS, CLI, ...args], { cwd, env: baseEnv(env), extendEnv: false, reject: false, stdin: 'ignore' });
  const stderr = String(result.stderr);
  return { exitCode: result.exitCode, stderr, loaded: [...stderr.matchAll(/^loaded (\S+)$/gm)].map((m) => m[1]!) };
}

const HEAVY = ['@aws-sdk/client-s3', '@kubernetes/client-node', '@gitbeaker/rest', 'listr2'];

describe('the bundled CLI', () => {
  afterAll(() => removeFixtures());

  it('--debug prints the stack trace with the TypeScript sources, without --debug none', async () => {
    const withDebug = await runCli(['plan', 'nosuch', '--debug'], { cwd: REPO_ROOT, env: { ENV: 'dev' } });
    expect(withDebug.exitCode).toBe(1);
    expect(withDebug.stderr).toMatch(/^error: unknown stack "nosuch"$/m);
    expect(withDebug.stderr).toMatch(/\n\s+at requireStack \(.*src\/config\/resolve\.ts:\d+:\d+\)/);
    expect(withDebug.stderr).not.toMatch(/dist\/[^\n]*\.js:\d+/);

    const plain = await runCli(['plan', 'nosuch'], { cwd: REPO_ROOT, env: { ENV: 'dev' } });
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
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

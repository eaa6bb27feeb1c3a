import path from 'node:path';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { baseEnv, CLI, REPO_ROOT } from '../support/cli.js';

const SANDBOX = path.join(REPO_ROOT, 'examples/sandbox/run.js');
const DONE = 'sandbox: materialize, init, plan, apply and a clean plan all worked against a local S3 server.';

// One file, so its tests run one after the other: both run the sandbox in examples/sandbox.
describe('npm run sandbox', () => {
  it('runs materialize, init, plan, apply and a clean plan against a local S3 server', async () => {
    const result = await execa(process.execPath, [SANDBOX], { env: baseEnv(), extendEnv: false, reject: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`sandbox: foundation is ${CLI}`);
    expect(result.stdout).toContain('sandbox (ENV sandbox): applied: 2 to add, 0 to change, 0 to destroy, 1 output changed');
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(DONE);
  });

  it('the package: npm pack holds only what runs, npm install -g of it gives a foundation whose --help, version and the sandbox work', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'foundation-package-'));
    // npm's own variables from `npm test` (npm_config_*) would steer the inner npm commands.
    const env = Object.fromEntries(Object.entries(baseEnv()).filter(([name]) => !name.startsWith('npm_')));
    try {
      // --ignore-scripts: pack dist/ as `npm test` just built it; `prepare` would rebuild it
      // under the other test files that are running it.
      const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, env, extendEnv: false });
      const [{ filename, files }] = JSON.parse(String(pack.stdout)) as Array<{ filename: string; files: Array<{ path: string }> }>;
      const packed = files.map((file) => file.path);
      expect(packed.filter((file) => !/^(bin\/|dist\/|docs\/|README\.md$|LICENSE$|package\.json$)/.test(file))).toEqual([]);
      expect(packed).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'bin/foundation.js', 'bin/package.json', 'dist/launch.cjs', 'dist/cli.cjs', 'dist/app.cjs']));
      // the manual travels with the package: every page the README links to
      const manual = readdirSync(path.join(REPO_ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
      expect(manual.length).toBeGreaterThan(5);
      expect(packed).toEqual(expect.arrayContaining(manual));

      // A user's global install, into a prefix of its own; the dependencies come from npm's
      // cache when they are there (--prefer-offline), else from the registry.
      const prefix = path.join(dir, 'prefix');
      const install = await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, filename)], { cwd: dir, env, extendEnv: false, reject: false });
      expect(install.exitCode, String(install.stderr)).toBe(0);
      const installed = path.join(prefix, 'bin', 'foundation');

      const help = await execa(installed, ['--help'], { cwd: dir, env, extendEnv: false, reject: false });
      expect(help.exitCode, String(help.stderr)).toBe(0);
      expect(String(help.stdout)).toMatch(/^Usage: foundation \[options\] \[command\]/);
      // The same build as this checkout's: the commit recorded when it was built.
      const version = async (cli: string[]) => JSON.parse(String((await execa(cli[0]!, [...cli.slice(1), 'version', '--json'], { cwd: dir, env, extendEnv: false })).stdout));
      const ours = await version([process.execPath, CLI]);
      expect(await version([installed])).toMatchObject({ version: ours.version, commit: ours.commit });

      const sandbox = await execa(process.execPath, [SANDBOX], { env: { ...env, FOUNDATION_BIN: installed }, extendEnv: false, reject: false });
      expect(sandbox.exitCode, String(sandbox.stderr)).toBe(0);
      expect(sandbox.stdout).toContain(`sandbox: foundation is ${installed}`);
      expect(sandbox.stdout.trimEnd().split('\n').at(-1)).toBe(DONE);

      // FOUNDATION_BIN is what runs: one that is not there fails the sandbox at once.
      const missing = await execa(process.execPath, [SANDBOX], { env: { ...env, FOUNDATION_BIN: path.join(dir, 'nothing-here') }, extendEnv: false, reject: false });
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toContain(`sandbox: expected exit 0, got not started (spawn ${path.join(dir, 'nothing-here')} ENOENT)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

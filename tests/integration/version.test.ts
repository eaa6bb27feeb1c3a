import { execa } from 'execa';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTofuBinary } from '../../src/tofu/binary.js';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { tofuRecorder } from '../support/tofu-recorder.js';

const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const packageVersion = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The commit dist/ was built from: `npm test` builds this checkout right before the tests. */
async function checkoutCommit(): Promise<string> {
  return String((await execa('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT })).stdout);
}

/** What the tofu binary itself says to `version -json`. */
async function realTofuVersion(): Promise<{ terraform_version: string; platform: string }> {
  return JSON.parse(String((await execa(findTofuBinary().path, ['version', '-json'], { env: { CHECKPOINT_DISABLE: '1' } })).stdout));
}

describe('foundation version', () => {
  it('--json: version, build commit, Node, platform, and the tofu binary with its own version', async () => {
    const result = await runCli(['version', '--json'], { cwd: REPO_ROOT });
    expect(result.exitCode, result.stderr).toBe(0);
    const tofu = findTofuBinary();
    const real = await realTofuVersion();
    expect(JSON.parse(result.stdout)).toEqual({
      version: packageVersion,
      commit: await checkoutCommit(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      tofu: { name: tofu.name, path: tofu.path, version: real.terraform_version, platform: real.platform, error: null },
    });
  });

  it('prints the same as lines for a person', async () => {
    const result = await runCli(['version'], { cwd: REPO_ROOT });
    expect(result.exitCode, result.stderr).toBe(0);
    const tofu = findTofuBinary();
    const real = await realTofuVersion();
    expect(result.stdout).toBe(
      [
        `foundation ${packageVersion}`,
        `commit  ${await checkoutCommit()}`,
        `node    ${process.version} (${process.platform}-${process.arch})`,
        `tofu    ${tofu.name} ${real.terraform_version} (${tofu.path}, ${real.platform})`,
        '',
      ].join('\n'),
    );
  });

  it('asks the binary FOUNDATION_TOFU_BIN names, with "version -json"', async () => {
    const recorder = tofuRecorder();
    const result = await runCli(['version', '--json'], { cwd: REPO_ROOT, env: { FOUNDATION_TOFU_BIN: recorder.bin } });
    expect(result.exitCode, result.stderr).toBe(0);
    const { tofu } = JSON.parse(result.stdout);
    expect(tofu).toMatchObject({ name: 'tofu', path: recorder.bin, version: (await realTofuVersion()).terraform_version, error: null });
    expect(recorder.calls().map((call) => call.argv)).toEqual([['version', '-json']]);
  });

  it('no tofu, or one that does not answer: reported in the output, still exit 0 (it is for bug reports)', async () => {
    const none = await runCli(['version', '--json'], { cwd: REPO_ROOT, env: { PATH: '/nonexistent' } });
    expect(none.exitCode, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout).tofu).toEqual({ name: null, path: null, version: null, platform: null, error: 'neither tofu nor terraform is on PATH' });
    const human = await runCli(['version'], { cwd: REPO_ROOT, env: { PATH: '/nonexistent' } });
    expect(human.stdout).toMatch(/^tofu {4}neither tofu nor terraform is on PATH$/m);

    const mute = path.join(tempDir('foundation-mute-tofu-'), 'tofu');
    writeFileSync(mute, '#!/bin/sh\necho "not json"\n');
    chmodSync(mute, 0o755);
    const silent = await runCli(['version', '--json'], { cwd: REPO_ROOT, env: { FOUNDATION_TOFU_BIN: mute } });
    expect(silent.exitCode, silent.stderr).toBe(0);
    expect(JSON.parse(silent.stdout).tofu).toEqual({ name: 'tofu', path: mute, version: null, platform: null, error: `${mute} did not answer "version -json" with a version` });
  });

  it('a build made outside the top of a git checkout records the commit as "unknown", not the enclosing repository\'s', async () => {
    // A copy of what the build reads, inside another git repository with a commit of its own.
    const outer = tempDir('foundation-outer-repo-');
    const git = (...args: string[]) => execa('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: outer });
    await git('init', '-q');
    await git('commit', '-q', '--allow-empty', '-m', 'outer');
    const copy = path.join(outer, 'foundation');
    mkdirSync(copy);
    for (const entry of ['package.json', 'bin', 'scripts', 'src']) cpSync(path.join(REPO_ROOT, entry), path.join(copy, entry), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    const build = await execa(process.execPath, ['scripts/build.mjs'], { cwd: copy, reject: false });
    expect(build.exitCode, String(build.stderr)).toBe(0);
    // Its own cache home: the copy's compiled code is not this checkout's.
    const env = { XDG_CACHE_HOME: path.join(outer, 'cache') };
    const result = await execa(process.execPath, [path.join(copy, 'bin', 'foundation.js'), 'version', '--json'], { cwd: copy, env, reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(JSON.parse(String(result.stdout))).toMatchObject({ version: packageVersion, commit: 'unknown' });
  });
});

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { copyFixture, removeFixtures } from '../support/project.js';

// The validated configuration is cached between runs by file stats; every kind of edit
// must still be seen on the next run.
const cacheHome = mkdtempSync(path.join(tmpdir(), 'foundation-cache-'));
afterAll(() => {
  rmSync(cacheHome, { recursive: true, force: true });
  removeFixtures();
});

const LONG_AGO = new Date('2026-01-01T00:00:00Z');
/** Files written a while ago: the cache leaves out files changed in the last two seconds. */
function age(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) utimesSync(path.join(entry.parentPath, entry.name), LONG_AGO, LONG_AGO);
  utimesSync(dir, LONG_AGO, LONG_AGO);
}

async function stacks(dir: string) {
  const result = await runCli(['stacks', '--json'], { cwd: dir, env: { XDG_CACHE_HOME: cacheHome } });
  return { ...result, json: result.exitCode === 0 ? (JSON.parse(result.stdout) as { stacks: Array<{ name: string; description: string; dependsOn: string[] }> }) : undefined };
}

const cacheFiles = () => readdirSync(path.join(cacheHome, 'foundation', 'projects'));

describe('configuration cache', () => {
  it('is written outside the project and used while nothing changed', async () => {
    const dir = copyFixture('basic');
    age(dir);
    const first = await stacks(dir);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(cacheFiles()).toHaveLength(1);
    expect(readdirSync(dir)).not.toContain('.foundation');
    const second = await stacks(dir);
    expect(second.stdout).toBe(first.stdout);
    // The entry is what the next run reads: one tampered with shows through.
    const file = path.join(cacheHome, 'foundation', 'projects', cacheFiles()[0]!);
    writeFileSync(file, readFileSync(file, 'utf8').replace('Built-in resources only, for tests', 'read from the cache'));
    expect((await stacks(dir)).json!.stacks.find((s) => s.name === 'hello')!.description).toBe('read from the cache');
  });

  it('a cache home that cannot be made is no error: the configuration is parsed each time', async () => {
    const dir = copyFixture('basic');
    age(dir);
    for (const home of ['/proc/no-such-dir', path.join(cacheHome, 'missing', 'parent'), 'relative/path']) {
      const result = await runCli(['stacks', '--json'], { cwd: dir, env: { XDG_CACHE_HOME: home, HOME: path.join(cacheHome, 'no-home') } });
      expect(result.exitCode, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).stacks).toHaveLength(3);
    }
  });

  it('sees an edit that keeps the size and the modification time', async () => {
    const dir = copyFixture('basic');
    age(dir);
    expect((await stacks(dir)).json!.stacks.find((s) => s.name === 'hello')!.description).toBe('Built-in resources only, for tests');
    const file = path.join(dir, 'stacks/hello/stack.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('for tests', 'FOR TESTS'));
    utimesSync(file, LONG_AGO, LONG_AGO); // only the change time (ctime) still tells
    expect((await stacks(dir)).json!.stacks.find((s) => s.name === 'hello')!.description).toBe('Built-in resources only, FOR TESTS');
  });

  it('sees a new stack, a removed one, and an edit that makes the configuration invalid', async () => {
    const dir = copyFixture('basic');
    age(dir);
    expect((await stacks(dir)).json!.stacks.map((s) => s.name).sort()).toEqual(['hello', 'hollow', 'sleeper']);

    mkdirSync(path.join(dir, 'stacks/extra'));
    writeFileSync(path.join(dir, 'stacks/extra/stack.yaml'), 'description: extra\nnamespaces: [extra]\ndependsOn: [hello]\nstate:\n  keyTemplate: "{env}/{stack}"\n');
    age(dir);
    expect((await stacks(dir)).json!.stacks.map((s) => s.name).sort()).toEqual(['extra', 'hello', 'hollow', 'sleeper']);

    rmSync(path.join(dir, 'stacks/hollow'), { recursive: true });
    age(dir);
    expect((await stacks(dir)).json!.stacks.map((s) => s.name).sort()).toEqual(['extra', 'hello', 'sleeper']);

    writeFileSync(path.join(dir, 'stacks/extra/stack.yaml'), 'description: extra\nnamespaces: [extra]\ndependsOn: [nope]\nstate:\n  keyTemplate: "{env}/{stack}"\n');
    age(dir);
    const broken = await stacks(dir);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(/^error: stacks\/extra\/stack\.yaml: field "dependsOn\.0": unknown stack "nope"\n/);
  });
});

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';

const made: string[] = [];

/** A fresh copy of tests/fixtures/<name> in a temp folder (init and plans write into it). */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `foundation-${name}-`));
  cpSync(path.join(REPO_ROOT, 'tests', 'fixtures', name), dir, { recursive: true });
  made.push(dir);
  return dir;
}

export function removeFixtures(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Every file under a folder with its size and mtime: compared before and after a command that must write nothing. */
export function treeSnapshot(dir: string): Record<string, string> {
  const snapshot: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = statSync(full);
        snapshot[path.relative(dir, full)] = `${stat.size}:${stat.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return snapshot;
}

/** Every file under a folder, read as bytes: for "this string appears nowhere" checks. */
export function filesContaining(dir: string, needle: string, encoding: BufferEncoding = 'utf8'): string[] {
  const hits: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && readFileSync(full).includes(needle, 0, encoding)) hits.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return hits;
}

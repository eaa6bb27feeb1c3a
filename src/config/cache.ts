import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic-write.js';
import { ensureCacheHome, foundationCachePath } from '../util/cache-home.js';
import { PROJECT_FILE, STACK_FILE, type Project, type Stack } from './project.js';
import type { FoundationFile } from './schema.js';

/**
 * The validated configuration of a project, kept between runs and used while none of its
 * files has changed: it spares every command the YAML parser, the schemas and the
 * validation (~50 ms of a `foundation stacks`). Kept outside the project (nothing is
 * written into the repository), one file per project folder, under
 * $XDG_CACHE_HOME/foundation/projects (default ~/.cache/...).
 *
 * An entry is valid while its fingerprint is: the stat of foundation.yaml, the listing of
 * the stacks folder with the stat of each stack.yaml, and the build of this module (a new
 * foundation may read the same files differently). A file modified within the last two
 * seconds is not cached at all, so neither an edit during the parse nor a coarse file
 * system clock can leave a stale entry behind.
 */
const RECENT_MS = 2_000;

interface Fingerprint {
  key: string;
  /** The newest modification time among the files, to leave out files still being edited. */
  newest: number;
}

interface Entry {
  fingerprint: string;
  project: { dir: string; config: FoundationFile; stacks: Stack[] };
}

export function cachedProject(dir: string): Project | undefined {
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(cacheFile(dir), 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  const { project } = entry;
  if (project?.dir !== dir || fingerprint(dir, project.config.stacksDir)?.key !== entry.fingerprint) return undefined;
  return { dir, config: project.config, stacks: new Map(project.stacks.map((stack) => [stack.name, stack])) };
}

/** Remembers a project just parsed; a cache that cannot be written is no error. */
export function cacheProject(project: Project): void {
  const print = fingerprint(project.dir, project.config.stacksDir);
  if (!print || print.newest > Date.now() - RECENT_MS) return;
  const entry: Entry = { fingerprint: print.key, project: { dir: project.dir, config: project.config, stacks: [...project.stacks.values()] } };
  if (!ensureCacheHome()) return;
  try {
    writeFileAtomic(cacheFile(project.dir), JSON.stringify(entry), 0o600);
  } catch {
    // read-only home, full disk: the next run parses again
  }
}

function fingerprint(dir: string, stacksDir = 'stacks'): Fingerprint | undefined {
  let newest = 0;
  const stamp = (file: string, edited = true) => {
    try {
      const s = statSync(file);
      if (edited) newest = Math.max(newest, s.mtimeMs);
      return `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}`;
    } catch {
      return '-';
    }
  };
  try {
    const root = path.join(dir, stacksDir);
    const parts = [stamp(fileURLToPath(import.meta.url), false), stamp(path.join(dir, PROJECT_FILE)), stamp(root)];
    for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      parts.push(`${entry.name} ${entry.isDirectory() ? stamp(path.join(root, entry.name, STACK_FILE)) : 'file'}`);
    }
    return { key: parts.join('\n'), newest };
  } catch {
    return undefined;
  }
}

function cacheFile(dir: string): string {
  return foundationCachePath('projects', `${createHash('sha256').update(dir).digest('hex').slice(0, 32)}.json`);
}

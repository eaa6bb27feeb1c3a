import { existsSync } from 'node:fs';
import path from 'node:path';
import { FoundationError } from '../ui/errors.js';
import { cachedProject, cacheProject } from './cache.js';
import { PROJECT_FILE, type Project } from './project.js';

/** The nearest directory at or above `start` that holds foundation.yaml. */
export function findProjectDir(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, PROJECT_FILE))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  throw new FoundationError(
    `no ${PROJECT_FILE} in ${path.resolve(start)} or any parent directory`,
    'run foundation inside the infrastructure repository (the folder that holds foundation.yaml and stacks/)',
  );
}

/**
 * The project at or above `start`: foundation.yaml and every stacks/<name>/stack.yaml, read
 * and validated. A project whose files have not changed since the last run comes from the
 * cache (config/cache.ts) without loading the YAML parser and the schemas at all.
 */
export function loadProject(start = process.cwd()): Project {
  const dir = findProjectDir(start);
  const cached = cachedProject(dir);
  if (cached) return cached;
  // Loaded only on a cache miss, and synchronously (loadProject is called from synchronous
  // code): the bundle holds parse.ts, the YAML parser and the schemas, initialized only here.
  const { parseProject } = require('./parse.js') as typeof import('./parse.js');
  const project = parseProject(dir);
  cacheProject(project);
  return project;
}

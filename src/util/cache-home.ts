import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** $XDG_CACHE_HOME when it is an absolute path (as the XDG spec asks), else ~/.cache. */
function cacheHome(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
}

/** A path under foundation's folder in the cache home. */
export function foundationCachePath(...parts: string[]): string {
  return path.join(cacheHome(), 'foundation', ...parts);
}

/**
 * Makes the cache home when it is missing; false when it cannot be had (then nothing is
 * cached). Never `recursive`: never a whole missing path, and Node's recursive mkdir can
 * spin forever under a special file system such as /proc.
 */
export function ensureCacheHome(): boolean {
  try {
    mkdirSync(cacheHome(), { mode: 0o700 });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST';
  }
}

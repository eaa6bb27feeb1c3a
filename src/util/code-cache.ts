import { createHash } from 'node:crypto';
import { channel } from 'node:diagnostics_channel';
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { writeFileAtomic } from './atomic-write.js';
import { ensureCacheHome, foundationCachePath } from './cache-home.js';

/** One instance of a bundle per process, as require() keeps: its classes must stay one class. */
const LOADED = new Map<string, unknown>();
/** Told each bundle loaded (`{ file }`), as require() tells a module hook: for tools that trace what a run loads. */
const BUNDLE_LOADS = channel('foundation:bundle-load');

type CommonJsWrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/**
 * Loads a CommonJS bundle as require() would, compiled with V8's code cache: the first run
 * of a build keeps the bytecode of everything it ran, and later runs skip parsing and
 * compiling it (more than half of what a `plan` spends before tofu starts). Node 22 has
 * this built in (module.enableCompileCache); Node 20 does not.
 *
 * One cache file per bundle build and `variant` (the command: each compiles other code),
 * under $XDG_CACHE_HOME/foundation/code. A cache V8 rejects (another Node), cannot read, or
 * that is not this user's alone is only slower: the bundle compiles as usual and the cache
 * is written again. The bundle must not use import(): vm.Script has none without an
 * experimental flag.
 */
export function requireWithCodeCache<T>(file: string, variant: string): T {
  const loaded = LOADED.get(file) ?? load(file, variant);
  LOADED.set(file, loaded);
  return loaded as T;
}

function load(file: string, variant: string): unknown {
  BUNDLE_LOADS.publish({ file });
  // --debug turns source maps on; Node maps only code it compiles itself.
  if (process.sourceMapsEnabled) return createRequire(file)(file);
  const cache = codeCache(file, variant);
  const cachedData = readOwnCache(cache.file);
  // esbuild writes ASCII only (non-ASCII escaped), so latin1 reads the same text without UTF-8 decoding.
  const script = new vm.Script(wrap(readFileSync(file, 'latin1')), { filename: file, cachedData });
  // At exit, so the cache holds the functions this run compiled too, not only the top level.
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => saveCodeCache(script, cache));
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsWrapper).call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/**
 * The cache file's bytes, if this user wrote it and no one else may: it is code this process
 * will run, so a file that another user could have written (a shared cache home) is compiled past.
 */
function readOwnCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const { uid, mode } = fstatSync(fd);
    if (uid !== process.getuid?.() || (mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined; // first run of this build
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface CodeCache {
  file: string;
  /** Shared by this bundle's and variant's caches of every build. */
  prefix: string;
}

/** The cache of one build of a bundle (its path, size and time) by one Node. */
function codeCache(bundle: string, variant: string): CodeCache {
  const { size, mtimeMs } = statSync(bundle);
  const build = createHash('sha256').update([bundle, size, mtimeMs, process.version, process.arch].join('\n')).digest('hex').slice(0, 16);
  const prefix = `${path.basename(bundle)}-${variant.replace(/[^a-z0-9-]/gi, '_')}-`;
  return { file: foundationCachePath('code', `${prefix}${build}.bin`), prefix };
}

/** Writes the cache and drops the caches of earlier builds; failing to is no error. */
function saveCodeCache(script: vm.Script, cache: CodeCache): void {
  if (!ensureCacheHome()) return;
  try {
    writeFileAtomic(cache.file, script.createCachedData(), 0o600);
    const dir = path.dirname(cache.file);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(cache.prefix) && name !== path.basename(cache.file)) rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // read-only home, full disk: the next run compiles again
  }
}

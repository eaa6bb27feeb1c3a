import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { interrupted } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';

/**
 * One foundation run per stack and ENV in a checkout: a lock file per stack under
 * .foundation/locks/<env>/, created exclusively, holding the holder's pid and process
 * start time. A holder whose process is gone (or whose pid now belongs to another
 * process) is dead, and its lock is taken over. tofu's S3 lock guards the state across
 * machines; this guards the checkout's own files (plan files, .terraform) between runs.
 */
export interface RunLockHolder {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat), to tell a reused pid. */
  startTime: string | null;
  host: string;
  command: string;
  since: string;
}

export interface HeldRunLocks {
  release(): void;
}

const POLL_MS = 250;

function runLockFile(projectDir: string, env: string, stack: string): string {
  return path.join(projectDir, '.foundation', 'locks', env, `${stack}.lock`);
}

/**
 * Takes the run lock of every stack (in name order, so two waiting runs cannot deadlock).
 * A stack held by a live run: a "held by" error (exit 1), or with `wait` a wait for it.
 */
export async function acquireRunLocks(projectDir: string, env: string, stacks: string[], { command, wait = false }: { command: string; wait?: boolean }): Promise<HeldRunLocks> {
  const me: RunLockHolder = { pid: process.pid, startTime: processStartTime(process.pid), host: hostname(), command, since: new Date().toISOString() };
  const mine = `${JSON.stringify(me)}\n`;
  const held: string[] = [];
  const release = () => {
    for (const file of held.splice(0)) {
      // Only our own lock: never remove one a later run took over.
      if (readText(file) === mine) rmSync(file, { force: true });
    }
    process.off('exit', release);
  };
  process.on('exit', release);
  try {
    for (const stack of [...stacks].sort()) {
      const file = runLockFile(projectDir, env, stack);
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      let announced = false;
      for (;;) {
        const holder = tryLock(file, mine);
        if (!holder) break;
        if (!wait) {
          throw new FoundationError(
            `stack "${stack}" (ENV ${env}) is held by another foundation run: ${describeHolder(holder)}`,
            'wait for that run to finish, or pass --wait to wait for it; a lock whose process has died is taken over by the next run',
          );
        }
        if (!announced) printErr(`waiting for stack "${stack}" (ENV ${env}), held by ${describeHolder(holder)}`);
        announced = true;
        const signal = interrupted();
        if (signal) throw new FoundationError(`interrupted by ${signal} while waiting for stack "${stack}"`, 'nothing was run; run the command again when ready');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      held.push(file);
    }
  } catch (error) {
    release();
    throw error;
  }
  return { release };
}

/** The live run holding a stack in this checkout, if any (status reads it; a dead holder's file counts as free). */
export function runLockHolder(projectDir: string, env: string, stack: string): RunLockHolder | undefined {
  const text = readText(runLockFile(projectDir, env, stack));
  const holder = text === undefined ? undefined : parseHolder(text);
  return holder && holderAlive(holder) ? holder : undefined;
}

/** Creates the lock, or takes over a dead holder's; returns the live holder when it is held. */
function tryLock(file: string, content: string): RunLockHolder | undefined {
  if (createExclusive(file, content)) return undefined;
  const text = readText(file);
  if (text === undefined) return tryLock(file, content); // released between our two looks
  const holder = parseHolder(text);
  if (holder && holderAlive(holder)) return holder;
  // Dead (or unreadable, e.g. half-written by a crash): move it aside, and keep it aside
  // only if it is still the file we judged; a run that took it over meanwhile gets it back.
  const aside = `${file}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return tryLock(file, content);
  }
  if (readText(aside) !== text) {
    try {
      linkSync(aside, file);
    } catch {
      // someone else holds a newer lock now; theirs stays
    }
    rmSync(aside, { force: true });
    return tryLock(file, content);
  }
  rmSync(aside, { force: true });
  return tryLock(file, content);
}

/** Writes a complete lock file under a temp name and links it into place: never seen half-written. */
function createExclusive(file: string, content: string): boolean {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

function holderAlive(holder: RunLockHolder): boolean {
  // A lock from another host (a shared folder) cannot be checked from here: treat it as live.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = processStartTime(holder.pid);
  return holder.startTime === null || now === null || now === holder.startTime;
}

/** Field 22 of /proc/<pid>/stat (after the parenthesised command name); null where there is no /proc. */
function processStartTime(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return null;
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
}

function parseHolder(text: string): RunLockHolder | undefined {
  try {
    const holder = JSON.parse(text) as RunLockHolder;
    return typeof holder.pid === 'number' ? holder : undefined;
  } catch {
    return undefined;
  }
}

export function describeHolder(holder: RunLockHolder): string {
  return `pid ${holder.pid} (${holder.command}) on ${holder.host} since ${holder.since}`;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

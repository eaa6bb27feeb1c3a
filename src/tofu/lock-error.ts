import type { Stack } from '../config/project.js';

/** What tofu prints when another process holds the state lock, with the holder's lock info. */
const LOCK_ERROR = 'Error acquiring the state lock';
// Enough of tofu's output to hold the whole "Lock Info:" block of the error.
const KEEP_CHARS = 16_384;

export interface LockHolder {
  id?: string;
  who?: string;
  operation?: string;
  created?: string;
}

/**
 * Passes tofu's output through and remembers its tail, so that a failure caused by a
 * held state lock gets a hint naming the holder and the way out, instead of a guess.
 */
export function watchLockError(write: (text: string) => void): { write: (text: string) => void; hint(stack: Stack): string | undefined } {
  let tail = '';
  return {
    write: (text) => {
      tail += text;
      // Trimmed at twice the size, not per chunk: a long plan writes thousands of lines.
      if (tail.length > 2 * KEEP_CHARS) tail = tail.slice(-KEEP_CHARS);
      write(text);
    },
    hint: (stack) => {
      if (!tail.includes(LOCK_ERROR)) return undefined;
      // A held lock comes with its Lock Info; without one the lock could not be taken for
      // another reason (refused credentials, an unreachable bucket), which is no holder's doing.
      const holder = parseLockInfo(tail);
      return holder.id ? lockHint(stack.name, holder) : undefined;
    },
  };
}

/** The fields of tofu's "Lock Info:" block (ID, Path, Operation, Who, Version, Created, Info). */
export function parseLockInfo(output: string): LockHolder {
  const field = (name: string) => {
    const match = new RegExp(`^[│|\\s]*${name}:[ \\t]*(.*?)\\s*$`, 'm').exec(output.slice(output.lastIndexOf(LOCK_ERROR)));
    return match?.[1] || undefined;
  };
  return { id: field('ID'), who: field('Who'), operation: field('Operation'), created: field('Created') };
}

function lockHint(stack: string, holder: LockHolder): string {
  const who = holder.who ? `${holder.who}${holder.operation ? ` (${holder.operation.replace(/^OperationType/, '').toLowerCase()})` : ''}${holder.created ? ` since ${holder.created}` : ''}` : 'another process';
  return `the state lock is held by ${who}; if that run is gone (killed, crashed), "foundation state lock ${stack}" shows the lock and "foundation state unlock ${stack}" releases it`;
}

import { lockAgeMs } from '../state/s3-lock.js';
import { describeLock, findStateLock, forceUnlock, noLockError, UNLOCK_MIN_AGE_MS } from '../state/lock.js';
import { confirm } from '../ui/confirm.js';
import { FoundationError, RefusedError } from '../ui/errors.js';
import { isCI, isInteractive, printErr, printOut } from '../ui/output.js';
import { formatDuration } from '../util/duration.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, name: string, options: { force?: boolean }): Promise<number> {
  const target = await findStateLock(global, name);
  const { lock, stack } = target;
  if (!lock) throw noLockError(target);
  const where = `the state lock of stack "${stack.name}" (ENV ${target.ctx.env})`;
  if (!options.force) {
    if (isCI()) throw new RefusedError(`unlocking ${where} is refused in CI without --force`, `the lock is ${describeLock(lock)}; release it from an operator shell, or pass --force once you know that run is gone`);
    const age = lockAgeMs(lock);
    if (age === undefined || age < UNLOCK_MIN_AGE_MS) {
      throw new RefusedError(
        `${where} is ${age === undefined ? 'of unknown age' : `only ${formatDuration(age)} old`}: the run holding it may still be working`,
        `the lock is ${describeLock(lock)}; pass --force once you know that run is gone (locks older than ${formatDuration(UNLOCK_MIN_AGE_MS)} need only a confirmation)`,
      );
    }
    if (!isInteractive()) throw new FoundationError(`unlocking ${where} needs a terminal to confirm in`, 'run it in a terminal, or pass --force once you know that run is gone');
    printErr(`${where} is ${describeLock(lock)} (ID ${lock.id}).`);
    printErr('Release it only if that run is gone: two runs writing the same state lose changes.');
    if (!(await confirm('Release the lock?'))) throw new FoundationError('unlock cancelled: the lock is still held', `"foundation state lock ${stack.name}" shows it`);
  }
  await forceUnlock(target, lock, (text) => process.stderr.write(text));
  printOut(`${stack.name} (ENV ${target.ctx.env}): state lock ${lock.id} released (it was ${describeLock(lock)})`);
  return 0;
}

import { lockAgeMs } from '../state/s3-lock.js';
import { describeLock, findStateLock, noLockError } from '../state/lock.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, name: string, options: { json?: boolean }): Promise<number> {
  const target = await findStateLock(global, name);
  const { lock } = target;
  if (options.json) {
    printJson({ stack: target.stack.name, env: target.ctx.env, stateKey: target.stateKey, lock: lock ? { ...lock, ageMs: lockAgeMs(lock) ?? null } : null });
  } else if (lock) {
    printOut(`${target.stack.name} (ENV ${target.ctx.env}): state ${target.stateKey} is locked, ${describeLock(lock)}`);
    printOut(
      formatTable(
        ['FIELD', 'VALUE'],
        [
          ['ID', lock.id],
          ['Who', lock.who],
          ['Operation', lock.operation],
          ['Created', lock.created ?? '-'],
          ['Version', lock.version],
          ['Path', lock.path],
        ],
      ),
    );
    printOut(`release it, once you know that run is gone: foundation state unlock ${target.stack.name}`);
  }
  if (!lock) throw noLockError(target);
  return 0;
}

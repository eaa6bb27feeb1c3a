import { loadProject } from '../config/load.js';
import { requireStack, resolveEnv } from '../config/resolve.js';
import { connectDrainTarget, DRAIN_LEASE, drainScaleSets, restoreScaleSets } from '../kube/drain.js';
import { drainStatus } from '../kube/drain-status.js';
import { acquireLease, holderIdentity } from '../kube/lease.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import { parseDuration } from '../util/duration.js';
import type { GlobalOptions } from './options.js';

interface DrainOptions {
  status?: boolean;
  restore?: boolean;
  json?: boolean;
  drainTimeout?: string;
}

export async function run(global: GlobalOptions, name: string, options: DrainOptions): Promise<number> {
  if (options.status && options.restore) throw new FoundationError('--status and --restore do not go together', 'pick one');
  if (options.json && !options.status) throw new FoundationError('--json goes with --status', `run "foundation drain ${name} --status --json"`);
  const drainTimeoutMs = options.drainTimeout === undefined ? undefined : parseDuration(options.drainTimeout, '--drain-timeout');
  installSignalHandlers();
  const project = loadProject();
  const stack = requireStack(project, name);
  const target = await connectDrainTarget(project, stack, resolveEnv(project, global.env), global.context);
  const io = { write: (text: string) => process.stdout.write(text), phase: () => {} };

  if (options.status) {
    const status = await drainStatus(target);
    if (options.json) printJson(status);
    else {
      printOut(`${status.stack}: namespace ${status.namespace}, context ${status.context}, drain lease ${status.lease ? `held by ${status.lease.holder}${status.lease.stale ? ' (stale)' : ''}` : 'free'}`);
      printOut(
        formatTable(
          ['SCALE SET', 'MIN', 'MAX', 'CURRENT', 'RUNNERS', 'BUSY', 'DRAINED'],
          status.scaleSets.map((s) => [
            s.name,
            String(s.minRunners ?? '-'),
            String(s.maxRunners ?? '-'),
            String(s.currentRunners),
            String(s.runners),
            String(s.busyRunners),
            s.drain ? `yes, from ${s.drain.minRunners ?? '-'}/${s.drain.maxRunners ?? '-'} at ${s.drain.drainedAt} by ${s.drain.holder}` : 'no',
          ]),
        ),
      );
    }
    return 0;
  }

  if (options.restore) {
    const lease = await acquireLease(target.client, target.config.namespace, DRAIN_LEASE, holderIdentity(), 'a drain is running now: it restores the scale sets itself when it ends');
    try {
      const restored = await restoreScaleSets(target, io);
      printOut(restored ? `${stack.name}: restored ${restored} scale set${restored > 1 ? 's' : ''}` : `${stack.name}: no scale set carries a drain record; nothing to restore`);
    } finally {
      await lease.release();
    }
    return 0;
  }

  const lease = await drainScaleSets(target, io, { timeoutMs: drainTimeoutMs ?? parseDuration(target.config.timeout, 'apply.drain.timeout') });
  await lease.release();
  printOut(`${stack.name}: drained; the scale sets stay at 0 until "foundation drain ${stack.name} --restore" (or the next apply) puts them back`);
  return 0;
}

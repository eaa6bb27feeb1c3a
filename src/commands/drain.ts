import { loadProject } from '../config/load.js';
import { requireStack, resolveEnv } from '../config/resolve.js';
import { connectDrainTarget, DRAIN_LEASE, drainOptions, drainScaleSets, parseDrainFlags, restoreScaleSets, type DrainFlags } from '../kube/drain.js';
import { drainStatus, type DrainStatus } from '../kube/drain-status.js';
import { acquireLease } from '../kube/lease.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

interface DrainOptions extends DrainFlags {
  status?: boolean;
  restore?: boolean;
  json?: boolean;
}

export async function run(global: GlobalOptions, name: string, options: DrainOptions): Promise<number> {
  if (options.status && options.restore) throw new FoundationError('--status and --restore do not go together', 'pick one');
  if (options.json && !options.status) throw new FoundationError('--json goes with --status', `run "foundation drain ${name} --status --json"`);
  parseDrainFlags(options);
  installSignalHandlers();
  const project = loadProject();
  const stack = requireStack(project, name);
  // Status and restore work on what is left: a named scale set deleted since the drain is reported, not fatal.
  const target = await connectDrainTarget(project, stack, resolveEnv(project, global.env), global.context, { lenient: Boolean(options.status || options.restore) });
  const io = { write: (text: string) => process.stdout.write(text), phase: () => {} };
  const durations = drainOptions(target.config, options);

  if (options.status) {
    const status = await drainStatus(target);
    if (options.json) printJson(status);
    else printOut(renderStatus(status));
    return 0;
  }

  if (options.restore) {
    const lease = await acquireLease(target.client, target.config.namespace, DRAIN_LEASE, {
      waitMs: durations.leaseWaitMs,
      progress: io.write,
      hint: 'a drain is running now: it restores the scale sets itself when it ends',
    });
    try {
      const { restored } = await restoreScaleSets(target, io, { budgetMs: durations.restoreBudgetMs });
      const count = restored.length;
      printOut(count ? `${stack.name}: restored ${count} scale set${count > 1 ? 's' : ''}` : `${stack.name}: no scale set carries a drain record; nothing to restore`);
    } finally {
      const warning = await lease.release();
      if (warning) io.write(`drain: ${warning}\n`);
    }
    return 0;
  }

  const { lease } = await drainScaleSets(target, io, durations);
  const warning = await lease.release();
  if (warning) io.write(`drain: ${warning}\n`);
  printOut(`${stack.name}: drained; the scale sets stay at 0 until "foundation drain ${stack.name} --restore" (or the next apply) puts them back`);
  return 0;
}

function renderStatus(status: DrainStatus): string {
  const { lease } = status;
  const leaseText = lease
    ? `held by ${lease.holder || '(nobody)'}, age ${lease.ageSeconds ?? '?'}s, ${lease.expiresInSeconds === undefined ? 'no renewal recorded' : lease.expiresInSeconds >= 0 ? `expires in ${lease.expiresInSeconds}s` : `expired ${-lease.expiresInSeconds}s ago`} by its holder's clock${lease.stale ? ' (stale: a new drain takes it over)' : ''}`
    : 'free';
  const caps = (min: number | null, max: number | null) => `${min ?? '-'}/${max ?? '-'}`;
  return [
    `${status.stack}: namespace ${status.namespace}, context ${status.context}`,
    `drain lease: ${leaseText}`,
    formatTable(
      ['SCALE SET', 'MIN/MAX NOW', 'RECORDED MIN/MAX', 'CURRENT', 'RUNNERS', 'BUSY', 'DRAINED'],
      status.scaleSets.map((s) => [
        s.name,
        caps(s.minRunners, s.maxRunners),
        s.drain ? caps(s.drain.minRunners, s.drain.maxRunners) : '-',
        String(s.currentRunners),
        String(s.runners),
        String(s.busyRunners),
        s.drain ? `at ${s.drain.drainedAt} by ${s.drain.holder}` : 'no',
      ]),
    ),
  ].join('\n');
}

import { execa } from 'execa';
import { connectionFlags, talosTarget } from '../cluster/argv.js';
import { findTalosctl } from '../cluster/binary.js';
import { requireCluster, requireConfigFile, selectNodes } from '../cluster/clusters.js';
import { refuseAiming, splitPassthrough, TALOSCTL_AIMING, withPinned } from '../cluster/pinning.js';
import { loadProject } from '../config/load.js';
import { FoundationError } from '../ui/errors.js';
import type { GlobalOptions } from '../config/global-options.js';

const USAGE = 'run "foundation talosctl <cluster> [--node N] -- <talosctl args>"';

/** The real talosctl with --talosconfig, --endpoints and --nodes from foundation.yaml. Its exit code is talosctl's. */
export async function run(_global: GlobalOptions, operands: string[], options: { node?: string }): Promise<number> {
  const split = splitPassthrough(operands);
  if (!split || split.tool.length === 0) throw new FoundationError("talosctl's arguments go after --", USAGE);
  if (split.own.length !== 1) throw new FoundationError(split.own.length ? `one cluster at a time, not ${split.own.join(', ')}` : 'no cluster named', USAGE);
  const project = loadProject();
  const cluster = requireCluster(project, split.own[0]!);
  const nodes = selectNodes(cluster, options.node).map((n) => n.address);
  refuseAiming('talosctl', split.tool, TALOSCTL_AIMING, `cluster ${cluster.name}`);
  requireConfigFile(cluster, 'talosconfig');
  const args = withPinned(split.tool, connectionFlags(talosTarget(cluster), nodes));
  const result = await execa(findTalosctl(), args, { stdio: 'inherit', reject: false, cwd: project.dir });
  if (result.exitCode === undefined) throw new FoundationError(`could not run talosctl: ${result.shortMessage}`, 'check that talosctl works: run "talosctl version --client"');
  return result.exitCode;
}

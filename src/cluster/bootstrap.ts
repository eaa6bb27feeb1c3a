import { FoundationError } from '../ui/errors.js';
import { bootstrapArgs, etcdMembersArgs, talosTarget } from './argv.js';
import { clusterNodes, describeNode, requireConfigFile, type Cluster } from './clusters.js';
import { runTalosctl, talosctlError } from './talosctl.js';

export interface BootstrapResult {
  node: string;
  /** true: this run bootstrapped etcd; false: etcd was running already. */
  bootstrapped: boolean;
  members: string[];
}

/**
 * Bootstraps etcd on the first control-plane node exactly once. etcd members are read
 * first; when there are any, bootstrap is not called. A bootstrap refused with
 * AlreadyExists ("etcd data directory is not empty") also means it happened before.
 */
export async function bootstrapCluster(cluster: Cluster, talosctl: string, cwd: string): Promise<BootstrapResult> {
  requireConfigFile(cluster, 'talosconfig');
  const target = talosTarget(cluster);
  const node = clusterNodes(cluster)[0]!;
  const members = await runTalosctl({ bin: talosctl, args: etcdMembersArgs(target, node), cwd });
  const rows = members.exitCode === 0 ? memberHostnames(members.stdout) : [];
  if (rows.length > 0) return { node: node.address, bootstrapped: false, members: rows };

  const run = await runTalosctl({ bin: talosctl, args: bootstrapArgs(target, node), cwd });
  if (run.exitCode === 0) return { node: node.address, bootstrapped: true, members: [] };
  if (/code = AlreadyExists/.test(run.stderr)) return { node: node.address, bootstrapped: false, members: [] };
  throw new FoundationError(`bootstrap of etcd on ${describeNode(node)} failed: ${talosctlError(run)}`, `check the node with "foundation talosctl ${cluster.name} --node ${node.address} -- service etcd"`);
}

/** `etcd members` prints a table: NODE ID HOSTNAME PEER URLS CLIENT URLS LEARNER. */
function memberHostnames(stdout: string): string[] {
  const [header, ...rows] = stdout.split('\n').filter((line) => line.trim());
  if (!header?.startsWith('NODE')) return [];
  return rows.map((row) => row.trim().split(/\s+/)[2] ?? '').filter(Boolean);
}

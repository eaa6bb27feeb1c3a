import { findTalosctl } from '../cluster/binary.js';
import { bootstrapCluster } from '../cluster/bootstrap.js';
import { requireCluster } from '../cluster/clusters.js';
import { loadProject } from '../config/load.js';
import { printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, name: string): Promise<number> {
  const project = loadProject();
  const cluster = requireCluster(project, name);
  const result = await bootstrapCluster(cluster, findTalosctl(), project.dir);
  if (result.bootstrapped) printOut(`${cluster.name}: etcd bootstrapped on ${result.node}; the other control-plane nodes join it`);
  else printOut(`${cluster.name}: etcd is already bootstrapped${result.members.length ? ` (members: ${result.members.join(', ')})` : ` (${result.node} has etcd data)`}; nothing to do`);
  return 0;
}

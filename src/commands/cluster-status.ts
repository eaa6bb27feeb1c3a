import { findTalosctl } from '../cluster/binary.js';
import { requireCluster } from '../cluster/clusters.js';
import { clusterStatus } from '../cluster/status.js';
import { loadProject } from '../config/load.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from './options.js';

export async function run(_global: GlobalOptions, name: string, options: { json?: boolean }): Promise<number> {
  const project = loadProject();
  const cluster = requireCluster(project, name);
  const status = await clusterStatus(cluster, findTalosctl(), project.dir);
  if (options.json) {
    printJson(status);
    return status.ready ? 0 : 1;
  }
  printOut(
    formatTable(
      ['NODE', 'NAME', 'ROLE', 'TALOS', 'REACHABLE'],
      status.nodes.map((n) => [n.address, n.name ?? '-', n.role, n.talosVersion ?? '-', n.reachable ? 'yes' : `no: ${n.error}`]),
    ),
  );
  const kube = status.kubernetes;
  printOut(`\nKubernetes API (context ${status.context}): ${kube.reachable ? `answers, ${kube.version} at ${kube.server}` : `NOT answering: ${kube.error}`}`);
  for (const check of status.checks) printOut(`  ${check.ready ? 'ready    ' : 'NOT READY'}  ${check.name}: ${check.detail}`);
  const notReady = [
    ...status.nodes.filter((n) => !n.reachable).map((n) => `node ${n.address}`),
    ...(kube.reachable ? [] : ['Kubernetes API']),
    ...status.checks.filter((c) => !c.ready).map((c) => c.name),
  ];
  printOut(status.ready ? `\n${cluster.name}: ready` : `\n${cluster.name}: not ready: ${notReady.join(', ')}`);
  return status.ready ? 0 : 1;
}

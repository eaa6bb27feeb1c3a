import { findTalosctl } from '../cluster/binary.js';
import { requireAnyCluster } from '../cluster/clusters.js';
import { contractStatus, type ContractStatus } from '../cluster/contract.js';
import { clusterStatus } from '../cluster/status.js';
import { loadProject } from '../config/load.js';
import { formatTable, printErr, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, name: string, options: { json?: boolean }): Promise<number> {
  const project = loadProject();
  const found = requireAnyCluster(project, name);
  if ('contract' in found) {
    const status = await contractStatus(project, found.contract);
    if (options.json) printJson(status);
    else printOut(renderContract(status));
    if (status.kubernetes.hint) printErr(`hint: ${status.kubernetes.hint}`);
    return status.holds ? 0 : 1;
  }
  const cluster = found.talos;
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

/** One line per claim, then the verdict. */
function renderContract(status: ContractStatus): string {
  const head = `${status.cluster} (${status.distribution}, context ${status.context}): the cluster contract`;
  if (!status.kubernetes.reachable) return `${head}\nFAIL  the Kubernetes API answers: ${status.kubernetes.error}\n\n${status.cluster}: the claims were not checked`;
  const failed = status.claims.filter((c) => !c.ok);
  return [
    `${head} at ${status.kubernetes.server}`,
    ...status.claims.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.claim}: ${c.seen}`),
    '',
    failed.length ? `${status.cluster}: ${failed.length} of ${status.claims.length} claims fail` : `${status.cluster}: all ${status.claims.length} claims hold`,
  ].join('\n');
}

import { talosTarget, applyConfigArgs } from './argv.js';
import { describeNode, requireConfigFile, type Cluster, type ClusterNode } from './clusters.js';
import { registerConfigSecrets } from './secrets.js';
import { runTalosctl, talosctlError } from './talosctl.js';

export interface ApplyOptions {
  insecure?: boolean;
  dryRun?: boolean;
}

export interface NodeApplyResult {
  node: string;
  name?: string;
  role: ClusterNode['role'];
  ok: boolean;
  /** What Talos reported (mode details, or the dry-run summary with its config diff). */
  report: string;
  error?: string;
}

/** `talosctl apply-config` per node, one at a time, with the file for its role; every node is tried. */
export async function applyCluster(cluster: Cluster, nodes: ClusterNode[], talosctl: string, cwd: string, options: ApplyOptions, onNode: (result: NodeApplyResult) => void): Promise<NodeApplyResult[]> {
  const files = { controlplane: requireConfigFile(cluster, 'controlplane'), worker: requireConfigFile(cluster, 'worker') };
  if (!options.insecure) requireConfigFile(cluster, 'talosconfig');
  // a --dry-run diff shows config values: mask the keys and tokens in it
  Object.values(files).forEach(registerConfigSecrets);
  const target = talosTarget(cluster);
  const results: NodeApplyResult[] = [];
  for (const node of nodes) {
    const run = await runTalosctl({ bin: talosctl, args: applyConfigArgs(target, node, files[node.role], options), cwd });
    const result: NodeApplyResult = {
      node: node.address,
      ...(node.name ? { name: node.name } : {}),
      role: node.role,
      ok: run.exitCode === 0,
      report: run.exitCode === 0 ? run.stderr.trim() : '',
      // talosctl prefixes the node's address; say it once, with the node's name
      ...(run.exitCode === 0 ? {} : { error: `${describeNode(node)}: ${talosctlError(run).replace(`${node.address}: `, '')}` }),
    };
    results.push(result);
    onNode(result);
  }
  return results;
}

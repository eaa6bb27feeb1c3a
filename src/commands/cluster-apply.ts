import { findTalosctl } from '../cluster/binary.js';
import { applyCluster } from '../cluster/apply.js';
import { describeNode, requireCluster, selectNodes } from '../cluster/clusters.js';
import { loadProject } from '../config/load.js';
import { FoundationError } from '../ui/errors.js';
import { printErr, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

interface ApplyOptions {
  node?: string;
  insecure?: boolean;
  dryRun?: boolean;
}

export async function run(_global: GlobalOptions, name: string, options: ApplyOptions): Promise<number> {
  const project = loadProject();
  const cluster = requireCluster(project, name);
  const nodes = selectNodes(cluster, options.node);
  const results = await applyCluster(cluster, nodes, findTalosctl(), project.dir, options, (result) => {
    const node = describeNode({ address: result.node, ...(result.name ? { name: result.name } : {}), role: result.role });
    if (result.ok) printOut(`${node} [${result.role}]: ${options.dryRun ? 'dry run' : 'applied'}${result.report ? `\n${indent(result.report)}` : ''}`);
    else if (nodes.length > 1) printErr(`${node} [${result.role}]: failed: ${result.error}`);
  });
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return 0;
  if (failed.length === 1 && results.length === 1) {
    throw new FoundationError(`apply-config failed on ${failed[0]!.error}`, hintFor(options, cluster.name));
  }
  throw new FoundationError(`apply-config failed on ${failed.length} of ${results.length} nodes: ${failed.map((r) => r.node).join(', ')}`, hintFor(options, cluster.name));
}

function hintFor(options: ApplyOptions, cluster: string): string {
  return options.insecure
    ? 'a node in maintenance mode must be up and reachable on port 50000; a configured node takes the config without --insecure'
    : `a node still in maintenance mode needs --insecure; check reachability with "foundation cluster status ${cluster}"`;
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

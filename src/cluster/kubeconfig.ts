import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { FoundationError } from '../ui/errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { kubeconfigArgs, talosTarget } from './argv.js';
import { clusterNodes, describeNode, requireConfigFile, type Cluster } from './clusters.js';
import { mergeKubeconfig, type Kubeconfig } from './kubeconfig-merge.js';
import { runTalosctl, talosctlError } from './talosctl.js';

export interface KubeconfigResult {
  file: string;
  context: string;
  server: string;
  replaced: string[];
}

/** --output, else the first file in KUBECONFIG, else ~/.kube/config (where kubectl writes too). */
export function kubeconfigTarget(output: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (output) return path.resolve(output);
  const first = (env.KUBECONFIG ?? '').split(path.delimiter).find(Boolean);
  return first ? path.resolve(first) : path.join(homedir(), '.kube', 'config');
}

/**
 * Fetches the admin kubeconfig from the first control-plane node (to stdout, never a
 * file of talosctl's) and merges it under the context foundation.yaml names, 0600, atomically.
 */
export async function fetchKubeconfig(cluster: Cluster, talosctl: string, cwd: string, output?: string): Promise<KubeconfigResult> {
  requireConfigFile(cluster, 'talosconfig');
  const node = clusterNodes(cluster)[0]!;
  const run = await runTalosctl({ bin: talosctl, args: kubeconfigArgs(talosTarget(cluster), node), cwd });
  if (run.exitCode !== 0) {
    throw new FoundationError(`could not fetch the kubeconfig of cluster ${cluster.name} from ${describeNode(node)}: ${talosctlError(run)}`, `check the cluster with "foundation cluster health ${cluster.name}"`);
  }
  const file = kubeconfigTarget(output);
  const existing = existsSync(file) ? readKubeconfig(file) : undefined;
  let merged;
  try {
    merged = mergeKubeconfig(existing, parse(run.stdout) as Kubeconfig, cluster.spec.kubeContext);
  } catch (error) {
    throw new FoundationError(`talosctl kubeconfig returned no usable kubeconfig: ${(error as Error).message}`, 'check the talosctl version');
  }
  writeFileAtomic(file, stringify(merged.config), 0o600);
  const server = merged.config.clusters!.find((c) => c.name === cluster.spec.kubeContext)!.cluster!.server!;
  return { file, context: cluster.spec.kubeContext, server, replaced: merged.replaced };
}

function readKubeconfig(file: string): Kubeconfig {
  try {
    const parsed: unknown = parse(readFileSync(file, 'utf8'));
    if (parsed === null || parsed === undefined) return { apiVersion: 'v1', kind: 'Config' };
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a mapping');
    return parsed as Kubeconfig;
  } catch (error) {
    throw new FoundationError(`${file} is not a readable kubeconfig (${(error as Error).message.split('\n')[0]})`, 'fix the file, or pass --output to write elsewhere');
  }
}

// talosctl command lines, built from foundation.yaml. Flags as the real talosctl defines
// them (siderolabs/talos cmd/talosctl/cmd/...): global --talosconfig, -e/--endpoints and
// -n/--nodes on every node command; gen config's --with-secrets, --talos-version,
// --kubernetes-version, --config-patch[-control-plane|-worker] @file, -o/--output.
import path from 'node:path';
import { clusterNodes, configFile, type Cluster, type ClusterNode } from './clusters.js';

/** Where talosctl connects: the generated talosconfig and the cluster's Talos endpoints. */
export interface TalosTarget {
  talosconfig: string;
  endpoints: string[];
}

export function talosTarget(cluster: Cluster): TalosTarget {
  return { talosconfig: configFile(cluster, 'talosconfig'), endpoints: cluster.spec.talosEndpoints };
}

export function connectionFlags(target: TalosTarget, nodes: string[]): string[] {
  return ['--talosconfig', target.talosconfig, '--endpoints', target.endpoints.join(','), '--nodes', nodes.join(',')];
}

export function genSecretsArgs(cluster: Cluster, outputFile: string): string[] {
  return ['gen', 'secrets', '--output-file', outputFile, '--talos-version', cluster.spec.talosVersion];
}

/** Patch files are relative to the project; talosctl reads a patch from a file given as @path. */
export function genConfigArgs(cluster: Cluster, projectDir: string, secretsBundle: string, outputDir: string): string[] {
  const { spec } = cluster;
  const patches = (flag: string, files: string[]) => files.flatMap((file) => [flag, `@${path.resolve(projectDir, file)}`]);
  return [
    'gen', 'config', cluster.name, spec.endpoint,
    '--with-secrets', secretsBundle,
    '--talos-version', spec.talosVersion,
    '--kubernetes-version', spec.kubernetesVersion,
    ...patches('--config-patch', spec.patches.common),
    ...patches('--config-patch-control-plane', spec.patches.controlPlane),
    ...patches('--config-patch-worker', spec.patches.worker),
    '--with-docs=false',
    '--with-examples=false',
    '--output', outputDir,
  ];
}

/** --insecure talks to the node's maintenance service directly: no talosconfig, no endpoints. */
export function applyConfigArgs(target: TalosTarget, node: ClusterNode, file: string, options: { insecure?: boolean; dryRun?: boolean }): string[] {
  const connection = options.insecure ? ['--insecure', '--nodes', node.address] : connectionFlags(target, [node.address]);
  return ['apply-config', ...connection, '--file', file, ...(options.dryRun ? ['--dry-run'] : [])];
}

export function etcdMembersArgs(target: TalosTarget, node: ClusterNode): string[] {
  return ['etcd', 'members', ...connectionFlags(target, [node.address])];
}

export function bootstrapArgs(target: TalosTarget, node: ClusterNode): string[] {
  return ['bootstrap', ...connectionFlags(target, [node.address])];
}

/** Server-side health from the first control-plane node, with the node lists spelled out. */
export function healthArgs(target: TalosTarget, cluster: Cluster, waitTimeout: string): string[] {
  const nodes = clusterNodes(cluster);
  const controlPlane = nodes.filter((n) => n.role === 'controlplane').map((n) => n.address);
  const workers = nodes.filter((n) => n.role === 'worker').map((n) => n.address);
  return [
    'health', ...connectionFlags(target, [controlPlane[0]!]),
    '--control-plane-nodes', controlPlane.join(','),
    ...(workers.length ? ['--worker-nodes', workers.join(',')] : []),
    '--wait-timeout', waitTimeout,
  ];
}

/** The admin kubeconfig on stdout ("-" with --merge=false): foundation merges it itself. */
export function kubeconfigArgs(target: TalosTarget, node: ClusterNode): string[] {
  return ['kubeconfig', ...connectionFlags(target, [node.address]), '--merge=false', '-'];
}

/** --json (hidden, but a real flag) prints one protojson Version message per node. */
export function versionArgs(target: TalosTarget, node: ClusterNode): string[] {
  return ['version', ...connectionFlags(target, [node.address]), '--json'];
}

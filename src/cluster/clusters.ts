import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../config/project.js';
import { PROJECT_FILE } from '../config/project.js';
import { closest } from '../config/resolve.js';
import type { ClusterConfig, ContractClusterConfig } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';

export type NodeRole = 'controlplane' | 'worker';

export interface ClusterNode {
  address: string;
  name?: string;
  role: NodeRole;
}

export interface Cluster {
  name: string;
  spec: ClusterConfig;
  /** .foundation/clusters/<name>: the generated machine configs and talosconfig (gitignored, 0700). */
  dir: string;
}

/** Generated files, named as `talosctl gen config` names them. */
export const CONFIG_FILES = { controlplane: 'controlplane.yaml', worker: 'worker.yaml', talosconfig: 'talosconfig' } as const;

export function clusterDir(project: Project, name: string): string {
  return path.join(project.dir, '.foundation', 'clusters', name);
}

/** A cluster foundation does not provision (it has a `distribution`): its contract is checked, nothing more. */
export interface ContractCluster {
  name: string;
  spec: ContractClusterConfig;
}

/** Either kind of cluster by name; an unknown name gets a did-you-mean. */
export function requireAnyCluster(project: Project, name: string): { talos: Cluster } | { contract: ContractCluster } {
  const clusters = project.config.clusters ?? {};
  const spec = clusters[name];
  if (spec) return 'distribution' in spec ? { contract: { name, spec } } : { talos: { name, spec, dir: clusterDir(project, name) } };
  const known = Object.keys(clusters);
  const guess = closest(name, known);
  throw new FoundationError(
    `unknown cluster "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
    known.length ? `clusters defined in ${PROJECT_FILE}: ${known.join(', ')}` : `add the cluster under "clusters:" in ${PROJECT_FILE}`,
  );
}

/** A Talos cluster foundation provisions, by name: the talosctl commands work on these only. */
export function requireCluster(project: Project, name: string): Cluster {
  const found = requireAnyCluster(project, name);
  if ('talos' in found) return found.talos;
  throw new FoundationError(
    `cluster ${name} is an ${found.contract.spec.distribution} cluster foundation does not provision: Talos commands do not apply to it`,
    `"foundation cluster status ${name}" checks its contract; "foundation kubectl --cluster ${name} -- <args>" reaches it`,
  );
}

/** Control-plane nodes first, in file order: the first one is where etcd is bootstrapped. */
export function clusterNodes(cluster: Cluster): ClusterNode[] {
  return [
    ...cluster.spec.nodes.controlPlane.map((n) => ({ ...n, role: 'controlplane' as const })),
    ...cluster.spec.nodes.workers.map((n) => ({ ...n, role: 'worker' as const })),
  ];
}

/** All nodes, or the one `--node` names (by address or name); a node outside the cluster is an error. */
export function selectNodes(cluster: Cluster, node?: string): ClusterNode[] {
  const nodes = clusterNodes(cluster);
  if (node === undefined) return nodes;
  const found = nodes.find((n) => n.address === node || n.name === node);
  if (found) return [found];
  throw new FoundationError(
    `node "${node}" is not in cluster ${cluster.name}`,
    `nodes of ${cluster.name}: ${nodes.map(describeNode).join(', ')}`,
  );
}

export function describeNode(node: ClusterNode): string {
  return node.name ? `${node.address} (${node.name})` : node.address;
}

export function configFile(cluster: Cluster, kind: keyof typeof CONFIG_FILES): string {
  return path.join(cluster.dir, CONFIG_FILES[kind]);
}

/** The generated file, or an error saying to run `cluster config` first. */
export function requireConfigFile(cluster: Cluster, kind: keyof typeof CONFIG_FILES): string {
  const file = configFile(cluster, kind);
  if (!existsSync(file)) {
    throw new FoundationError(`cluster ${cluster.name} has no generated ${CONFIG_FILES[kind]} yet`, `run "foundation cluster config ${cluster.name}" first`);
  }
  return file;
}

import { connectKube } from '../kube/client.js';
import { readinessChecks, type ReadinessCheck } from '../kube/readiness.js';
import { FoundationError } from '../ui/errors.js';
import { talosTarget, versionArgs } from './argv.js';
import { clusterNodes, requireConfigFile, type Cluster, type ClusterNode } from './clusters.js';
import { runTalosctl, talosctlError } from './talosctl.js';

export interface NodeStatus {
  address: string;
  name?: string;
  role: ClusterNode['role'];
  reachable: boolean;
  talosVersion?: string;
  error?: string;
}

export interface ClusterStatus {
  cluster: string;
  context: string;
  ready: boolean;
  nodes: NodeStatus[];
  kubernetes: { reachable: boolean; server?: string; version?: string; error?: string };
  checks: ReadinessCheck[];
}

/** Every node's Talos version over the Talos API, then the Kubernetes API and the readiness checks. */
export async function clusterStatus(cluster: Cluster, talosctl: string, cwd: string): Promise<ClusterStatus> {
  requireConfigFile(cluster, 'talosconfig');
  const target = talosTarget(cluster);
  const nodes = await Promise.all(
    clusterNodes(cluster).map(async (node): Promise<NodeStatus> => {
      const base = { address: node.address, ...(node.name ? { name: node.name } : {}), role: node.role };
      const run = await runTalosctl({ bin: talosctl, args: versionArgs(target, node), cwd });
      if (run.exitCode !== 0) return { ...base, reachable: false, error: talosctlError(run) };
      return { ...base, reachable: true, talosVersion: serverTag(run.stdout) };
    }),
  );

  const context = cluster.spec.kubeContext;
  const kubernetes: ClusterStatus['kubernetes'] = { reachable: false };
  let checks: ReadinessCheck[] = [];
  try {
    const client = await connectKube(context);
    kubernetes.server = client.server;
    const version = await client.api(client.k8s.VersionApi).getCode().catch((error: unknown) => {
      throw new FoundationError(`the Kubernetes API at ${client.server} does not answer (${(error as Error).message.split('\n')[0]})`);
    });
    kubernetes.reachable = true;
    kubernetes.version = version.gitVersion;
    const readiness = cluster.spec.readiness;
    checks = await readinessChecks(client, { secretsOperatorCrds: readiness.secretsOperatorCrds, ...(readiness.exitProof ? { exitProof: readiness.exitProof } : {}) });
  } catch (error) {
    if (!(error instanceof FoundationError)) throw error;
    kubernetes.error = error.message;
  }
  const ready = nodes.every((n) => n.reachable) && kubernetes.reachable && checks.every((c) => c.ready);
  return { cluster: cluster.name, context, ready, nodes, kubernetes, checks };
}

/** `version --json` prints one protojson message per node; the server's tag is version.tag. */
function serverTag(stdout: string): string | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const tag = (JSON.parse(line) as { version?: { tag?: string } }).version?.tag;
      if (tag) return tag;
    } catch {
      // not a message line
    }
  }
  return undefined;
}

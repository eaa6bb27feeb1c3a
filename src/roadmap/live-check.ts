// The exit proof's live half: the workload's Deployment is available in the lab cluster.
// A small stand-alone check on the kube client layer; issue 12's shared "Deployment
// available" check in src/kube/ can take its place when the branches meet.
import type { RoadmapConfig } from './config.js';
import type { LiveCheckResult } from './model.js';

const TIMEOUT_MS = 15_000;

interface DeploymentLike {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; readyReplicas?: number; conditions?: Array<{ type?: string; status?: string; reason?: string }> };
}

/** Available as `kubectl rollout status` reads it: condition Available=True on the current generation. */
export function deploymentAvailability(deployment: DeploymentLike): { passed: boolean; detail: string } {
  const desired = deployment.spec?.replicas ?? 1;
  const ready = deployment.status?.readyReplicas ?? 0;
  const replicas = `${ready}/${desired} replicas ready`;
  const available = deployment.status?.conditions?.find((c) => c.type === 'Available');
  if ((deployment.status?.observedGeneration ?? 0) < (deployment.metadata?.generation ?? 0)) return { passed: false, detail: `rollout not observed yet, ${replicas}` };
  if (available?.status !== 'True') return { passed: false, detail: `not available${available?.reason ? ` (${available.reason})` : ''}, ${replicas}` };
  return { passed: true, detail: `available, ${replicas}` };
}

export async function checkDeploymentAvailable(check: RoadmapConfig['exitProof']['liveCheck']): Promise<LiveCheckResult> {
  const result = (passed: boolean, detail: string): LiveCheckResult => ({ ...check, passed, detail });
  try {
    const { connectKube, apiStatus, kubeError } = await import('../kube/client.js');
    const kube = await connectKube(check.context);
    const apps = kube.config.makeApiClient(kube.k8s.AppsV1Api);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
    });
    try {
      const deployment = await Promise.race([apps.readNamespacedDeployment({ name: check.deployment, namespace: check.namespace }), timeout]);
      const { passed, detail } = deploymentAvailability(deployment as DeploymentLike);
      return result(passed, detail);
    } catch (error) {
      if (apiStatus(error) === 404) return result(false, `Deployment ${check.namespace}/${check.deployment} not found`);
      return result(false, kubeError(kube, error, `read Deployment ${check.namespace}/${check.deployment}`).message);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    // the cluster is part of what the roadmap reports on: an unreachable one fails the check, not the run
    return result(false, (error as Error).message.split('\n')[0]!);
  }
}

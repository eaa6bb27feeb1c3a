import type { KubeClient } from './client.js';
import { apiStatus, kubeError } from './client.js';

/** The fields availability reads, loose enough for a raw API answer. */
export interface DeploymentStatusView {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; availableReplicas?: number; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
}

export interface DeploymentAvailability {
  available: boolean;
  /** Why not, or the replica count when it is: one line for an operator. */
  detail: string;
}

/**
 * A Deployment is available as `kubectl wait --for=condition=Available` sees it, once the
 * controller has observed its latest spec: condition Available=True and
 * status.observedGeneration >= metadata.generation. Shared by `cluster status` and the
 * roadmap's exit proof (eve-skill-farm running in the lab cluster).
 */
export function availabilityOf(deployment: DeploymentStatusView, namespace: string, name: string): DeploymentAvailability {
  const generation = deployment.metadata?.generation ?? 0;
  const observed = deployment.status?.observedGeneration ?? 0;
  if (observed < generation) return { available: false, detail: `Deployment ${namespace}/${name}: the controller has not observed generation ${generation} yet` };
  const condition = deployment.status?.conditions?.find((c) => c.type === 'Available');
  const replicas = `${deployment.status?.availableReplicas ?? 0}/${deployment.spec?.replicas ?? 1} replicas available`;
  if (condition?.status !== 'True') {
    const why = condition ? [condition.reason ?? 'Available=False', condition.message].filter(Boolean).join(': ') : 'no Available condition';
    return { available: false, detail: `Deployment ${namespace}/${name} is not available (${why}; ${replicas})` };
  }
  return { available: true, detail: `Deployment ${namespace}/${name}: ${replicas}` };
}

/** Reads the Deployment (one GET); a missing one is "not available", other API errors throw. */
export async function deploymentAvailability(client: KubeClient, namespace: string, name: string): Promise<DeploymentAvailability> {
  const apps = client.api(client.k8s.AppsV1Api);
  let deployment;
  try {
    deployment = await apps.readNamespacedDeployment({ name, namespace });
  } catch (error) {
    if (apiStatus(error) === 404) return { available: false, detail: `Deployment ${namespace}/${name} does not exist` };
    throw kubeError(client, error, `read Deployment ${namespace}/${name}`);
  }
  return availabilityOf(deployment, namespace, name);
}

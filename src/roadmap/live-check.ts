// The exit proof's live half: the workload's Deployment is available in the lab cluster,
// by the same check `cluster status` uses (src/kube/deployment-available.ts).
import type { RoadmapConfig } from './config.js';
import type { LiveCheckResult } from './model.js';

const TIMEOUT_MS = 15_000;

export async function checkDeploymentAvailable(check: RoadmapConfig['exitProof']['liveCheck']): Promise<LiveCheckResult> {
  const result = (passed: boolean, detail: string): LiveCheckResult => ({ ...check, passed, detail });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the Kubernetes API of context ${check.context} did not answer within ${TIMEOUT_MS / 1000}s`)), TIMEOUT_MS);
  });
  try {
    const [{ connectKube }, { deploymentAvailability }] = await Promise.all([import('../kube/client.js'), import('../kube/deployment-available.js')]);
    const kube = await connectKube(check.context);
    const { available, detail } = await Promise.race([deploymentAvailability(kube, check.namespace, check.deployment), timeout]);
    return result(available, detail);
  } catch (error) {
    // the cluster is part of what the roadmap reports on: an unreachable one fails the check, not the run
    return result(false, (error as Error).message.split('\n')[0]!);
  } finally {
    clearTimeout(timer);
  }
}

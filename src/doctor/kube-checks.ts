import type { Project } from '../config/project.js';
import { environmentContext, kubeContextFor } from '../config/resolve.js';
import { connectKube, kubeError, withPolicy } from '../kube/client.js';
import { DEFAULT_POLICY } from '../kube/request-policy.js';
import type { Check } from './check.js';

/** A check, not a task: 10 s for an answer, and a short retry of a blip. */
const DOCTOR_POLICY = { ...DEFAULT_POLICY, attemptTimeoutMs: 10_000, budgetMs: 15_000 };

/**
 * The kube contexts every ENV uses (the environment's, and stacks' per-ENV overrides; for
 * the selected ENV, --context or KUBE_CONTEXT first), each with the ENVs that use it.
 */
export function contextsByEnv(project: Project, selectedEnv: string | undefined, flag: string | undefined): Map<string, string[]> {
  const contexts = new Map<string, string[]>();
  const add = (context: string, env: string) => {
    const envs = contexts.get(context) ?? [];
    if (!envs.includes(env)) envs.push(env);
    contexts.set(context, envs);
  };
  for (const env of Object.keys(project.config.environments)) {
    if (env === selectedEnv && (flag ?? process.env.KUBE_CONTEXT)) {
      add(kubeContextFor(project, undefined, env, flag), env);
      continue;
    }
    add(environmentContext(project, env), env);
    for (const stack of project.stacks.values()) {
      const override = stack.spec.kubeContext[env];
      if (override) add(override, env);
    }
  }
  return contexts;
}

/** Each context exists in the kubeconfig and its API server answers GET /version. */
export async function kubeChecks(project: Project, selectedEnv: string | undefined, flag: string | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [context, envs] of contextsByEnv(project, selectedEnv, flag)) {
    const check = `kube context ${context}`;
    const usedBy = `ENV ${envs.join(', ')}`;
    let client;
    try {
      client = withPolicy(await connectKube(context), DOCTOR_POLICY);
    } catch (error) {
      checks.push({ check, status: 'fail', detail: `${(error as Error).message} (${usedBy})` });
      continue;
    }
    try {
      const version = await client.api(client.k8s.VersionApi).getCode();
      checks.push({ check, status: 'ok', detail: `the API at ${client.server} answers, Kubernetes ${version.gitVersion} (${usedBy})` });
    } catch (error) {
      checks.push({ check, status: 'fail', detail: `${kubeError(client, error, 'read /version').message} (${usedBy})` });
    }
  }
  return checks;
}

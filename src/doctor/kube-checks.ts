import type { Project } from '../config/load.js';
import { environmentContext, kubeContextFor } from '../config/resolve.js';
import { connectKube, kubeError } from '../kube/client.js';
import type { Check } from './check.js';

const ANSWER_TIMEOUT_MS = 10_000;

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
      client = await connectKube(context);
    } catch (error) {
      checks.push({ check, status: 'fail', detail: `${(error as Error).message} (${usedBy})` });
      continue;
    }
    try {
      const version = await withTimeout(client.config.makeApiClient(client.k8s.VersionApi).getCode(), ANSWER_TIMEOUT_MS);
      checks.push({ check, status: 'ok', detail: `the API at ${client.server} answers, Kubernetes ${version.gitVersion} (${usedBy})` });
    } catch (error) {
      const message = error instanceof TimeoutError ? `the API at ${client.server} did not answer within ${ANSWER_TIMEOUT_MS / 1000}s` : kubeError(client, error, 'read /version').message;
      checks.push({ check, status: 'fail', detail: `${message} (${usedBy})` });
    }
  }
  return checks;
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { FoundationError } from '../ui/errors.js';

/** The client for one kube context. @kubernetes/client-node is imported here, on demand: it is heavy. */
export interface KubeClient {
  k8s: typeof k8s;
  config: k8s.KubeConfig;
  context: string;
  server: string;
  custom: k8s.CustomObjectsApi;
  core: k8s.CoreV1Api;
  coordination: k8s.CoordinationV1Api;
  apis: k8s.ApisApi;
}

export async function connectKube(context: string): Promise<KubeClient> {
  const source = kubeconfigSource(context);
  const client = await import('@kubernetes/client-node');
  const config = new client.KubeConfig();
  config.loadFromDefault();
  if (!config.getContextObject(context)) {
    const known = config.getContexts().map((c) => c.name);
    throw new FoundationError(
      `kube context "${context}" does not exist in ${source}`,
      `pass --context or set KUBE_CONTEXT to one of: ${known.join(', ') || '(none)'}; or add the context to the kubeconfig`,
    );
  }
  config.setCurrentContext(context);
  return {
    k8s: client,
    config,
    context,
    server: config.getCurrentCluster()?.server ?? '(no server)',
    custom: config.makeApiClient(client.CustomObjectsApi),
    core: config.makeApiClient(client.CoreV1Api),
    coordination: config.makeApiClient(client.CoordinationV1Api),
    apis: config.makeApiClient(client.ApisApi),
  };
}

/**
 * The kubeconfig files the client would read, checked first: the client library turns a
 * missing file into an ENOENT stack, and no file at all into a context it invents.
 */
function kubeconfigSource(context: string): string {
  const fromEnv = process.env.KUBECONFIG;
  if (fromEnv) {
    const files = fromEnv.split(path.delimiter).filter(Boolean);
    const missing = files.filter((file) => !existsSync(file));
    if (missing.length > 0) {
      throw new FoundationError(`KUBECONFIG names ${missing.join(', ')}, ${missing.length > 1 ? 'which do' : 'which does'} not exist`, `point KUBECONFIG at the kubeconfig that defines context "${context}", or unset it to use ~/.kube/config`);
    }
    return fromEnv;
  }
  const home = path.join(homedir(), '.kube', 'config');
  if (!existsSync(home)) {
    throw new FoundationError(`no kubeconfig: KUBECONFIG is not set and ${home} does not exist`, `the kube context "${context}" must come from a kubeconfig: set KUBECONFIG to its file, or write it to ~/.kube/config`);
  }
  return home;
}

/** The HTTP status of a failed API call, or undefined when no answer came. */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Turns a failed call into one line: unreachable, refused credentials, or the API's own message. */
export function kubeError(client: KubeClient, error: unknown, doing: string): FoundationError {
  if (error instanceof FoundationError) return error;
  const status = apiStatus(error);
  const where = `the Kubernetes API at ${client.server} (context ${client.context})`;
  if (status === 401 || status === 403) {
    return new FoundationError(`${where} refused the request to ${doing} (HTTP ${status})`, `check the credentials of context ${client.context} and their RBAC permissions`);
  }
  if (status !== undefined) {
    const message = apiMessage(error);
    return new FoundationError(`${where} could not ${doing}: HTTP ${status}${message ? ` (${message})` : ''}`, 'check the object and the API server; run again with --debug for details');
  }
  const cause = networkCode(error);
  return new FoundationError(`${where} is unreachable (${cause})`, `check that the cluster is up and the context's server address is right (kubectl --context ${client.context} cluster-info)`);
}

function apiMessage(error: unknown): string | undefined {
  const body = (error as { body?: unknown }).body;
  try {
    const parsed = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
    return parsed?.message;
  } catch {
    return undefined;
  }
}

function networkCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return (error as Error)?.message?.split('\n')[0] ?? 'no answer';
}

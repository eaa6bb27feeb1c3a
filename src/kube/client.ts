import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import { FoundationError } from '../ui/errors.js';
import { loadKubeLibrary } from './library.js';
import { networkCode } from '../util/http-retry.js';
import { AttemptTimeout, DEFAULT_POLICY, policyFrom, policyHttpLibrary, transientReason, type PolicySettings, type RequestPolicy } from './request-policy.js';

/**
 * The client for one kube context. @kubernetes/client-node is imported here, on demand: it
 * is heavy. Every call goes through `http`, which sends it under the client's request
 * policy (timeouts, retries); `withPolicy` gives a view with another.
 */
export interface KubeClient {
  k8s: typeof k8s;
  config: k8s.KubeConfig;
  context: string;
  server: string;
  http: k8s.HttpLibrary;
  custom: k8s.CustomObjectsApi;
  core: k8s.CoreV1Api;
  coordination: k8s.CoordinationV1Api;
  apis: k8s.ApisApi;
  /** Any other API group's client, under the same policy. */
  api<T>(type: new (configuration: k8s.Configuration) => T): T;
}

export async function connectKube(context: string): Promise<KubeClient> {
  const source = kubeconfigSource(context);
  const client = await loadKubeLibrary();
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
  return clientUnder(client, config, context, policyFrom(DEFAULT_POLICY));
}

/**
 * The same context under another policy: `settings` and their budget per call, or with
 * `deadline` one time limit shared by every call made through the view (a restore).
 */
export function withPolicy(client: KubeClient, settings: PolicySettings, deadline?: number): KubeClient {
  return clientUnder(client.k8s, client.config, client.context, policyFrom(settings, deadline));
}

function clientUnder(module: typeof k8s, config: k8s.KubeConfig, context: string, policy: RequestPolicy): KubeClient {
  const server = config.getCurrentCluster()?.server ?? '(no server)';
  const http = policyHttpLibrary(module, policy);
  const configuration = module.createConfiguration({ baseServer: new module.ServerConfiguration(server, {}), authMethods: { default: config }, httpApi: http });
  const api = <T>(type: new (configuration: k8s.Configuration) => T): T => new type(configuration);
  return {
    k8s: module,
    config,
    context,
    server,
    http,
    custom: api(module.CustomObjectsApi),
    core: api(module.CoreV1Api),
    coordination: api(module.CoordinationV1Api),
    apis: api(module.ApisApi),
    api,
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

/** The HTTP status of a failed API call (raw, or already one line), or undefined when no answer came. */
export function apiStatus(error: unknown): number | undefined {
  if (error instanceof KubeCallError) return error.status;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A failed Kubernetes call as one line, keeping whether it may be tried again. */
export class KubeCallError extends FoundationError {
  constructor(
    message: string,
    hint: string,
    /** The HTTP status the API answered, or undefined when no answer came. */
    readonly status: number | undefined,
    /** Why the call may be tried again (429, 5xx, a reset or timeout), or undefined when it may not. */
    readonly transient: string | undefined,
  ) {
    super(message, hint);
  }
}

/** Why a failed call (raw, or already turned into one line) may be tried again; undefined when it may not. */
export function transientFailure(error: unknown): string | undefined {
  if (error instanceof KubeCallError) return error.transient;
  if (error instanceof FoundationError) return undefined;
  return transientReason(apiStatus(error), error);
}

/** Turns a failed call into one line: unreachable, refused credentials, or the API's own message. */
export function kubeError(client: KubeClient, error: unknown, doing: string): FoundationError {
  if (error instanceof FoundationError) return error;
  const oneLine = kubeErrorLine(client, error, doing);
  return new KubeCallError(oneLine.message, oneLine.hint ?? '', apiStatus(error), transientFailure(error));
}

function kubeErrorLine(client: KubeClient, error: unknown, doing: string): FoundationError {
  const status = apiStatus(error);
  const where = `the Kubernetes API at ${client.server} (context ${client.context})`;
  if (status === 401 || status === 403) {
    return new FoundationError(`${where} refused the request to ${doing} (HTTP ${status})`, `check the credentials of context ${client.context} and their RBAC permissions`);
  }
  if (status !== undefined) {
    const message = apiMessage(error);
    return new FoundationError(`${where} could not ${doing}: HTTP ${status}${message ? ` (${message})` : ''}`, 'check the object and the API server; run again with --debug for details');
  }
  if (error instanceof AttemptTimeout) {
    return new FoundationError(`${where} did not answer the request to ${doing} (${error.message})`, `check the API server's health (kubectl --context ${client.context} get --raw /readyz)`);
  }
  const cause = networkCode(error) ?? (error as Error)?.message?.split('\n')[0] ?? 'no answer';
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

import { apiStatus, kubeError, type KubeClient } from './client.js';

/** A kind the API server serves, as discovery describes it. */
export interface ApiResource {
  apiVersion: string;
  kind: string;
  /** The plural in the URL. */
  resource: string;
  namespaced: boolean;
}

/** A live object as the API server returns it: plain JSON, nothing dropped or converted. */
export type LiveObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: unknown[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/** Objects per page: the apiserver's own default chunk size for kubectl. */
export const PAGE_SIZE = 500;

/**
 * One GET through client-node's HTTP layer with the context's TLS and credentials,
 * returning the raw JSON. The typed API classes deserialize into models that drop
 * fields they do not know and turn timestamps into Dates; a comparison needs the
 * object exactly as served. Failures become one line (see kubeError).
 */
export async function getJson(client: KubeClient, path: string, query: Record<string, string | number | undefined> = {}, doing = `read ${path}`): Promise<unknown> {
  try {
    return await fetchJson(client, path, query);
  } catch (error) {
    throw kubeError(client, error, doing);
  }
}

/**
 * One JSON merge patch (RFC 7386) of an object, the patch type every kind accepts (custom
 * resources refuse strategic merge with 415). A `metadata.resourceVersion` in the patch
 * makes it conditional: 409 when the object changed since it was read.
 */
export async function mergePatchJson(client: KubeClient, path: string, patch: unknown, doing: string): Promise<unknown> {
  try {
    return await fetchJson(client, path, {}, { method: 'PATCH', body: JSON.stringify(patch), contentType: 'application/merge-patch+json' });
  } catch (error) {
    throw kubeError(client, error, doing);
  }
}

/** The request itself (a GET unless `send` says otherwise); a non-2xx answer is client-node's ApiException (code, body). */
async function fetchJson(client: KubeClient, path: string, query: Record<string, string | number | undefined>, send?: { method: 'PATCH'; body: string; contentType: string }): Promise<unknown> {
  const { RequestContext, HttpMethod, ApiException } = client.k8s;
  const url = new URL(client.server.replace(/\/+$/, '') + path);
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
  const request = new RequestContext(url.toString(), send ? HttpMethod.PATCH : HttpMethod.GET);
  request.setHeaderParam('Accept', 'application/json');
  if (send) {
    request.setHeaderParam('Content-Type', send.contentType);
    request.setBody(send.body);
  }
  await client.config.applySecurityAuthentication(request);
  const response = await client.http.send(request).toPromise();
  const text = await response.body.text();
  if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
    throw new ApiException(response.httpStatusCode, `HTTP ${response.httpStatusCode}`, text, response.headers);
  }
  return JSON.parse(text) as unknown;
}

/** The path of a kind's collection, in one namespace or cluster-wide. */
export function collectionPath(resource: ApiResource, namespace?: string): string {
  const base = resource.apiVersion.includes('/') ? `/apis/${resource.apiVersion}` : `/api/${resource.apiVersion}`;
  return resource.namespaced && namespace ? `${base}/namespaces/${namespace}/${resource.resource}` : `${base}/${resource.resource}`;
}

/**
 * Discovery for the given group versions: one GET of each one's resource list. A group
 * version the server does not serve (404) has no kinds.
 */
export async function discoverKinds(client: KubeClient, apiVersions: Iterable<string>): Promise<Map<string, ApiResource>> {
  const kinds = new Map<string, ApiResource>();
  await Promise.all(
    [...new Set(apiVersions)].map(async (apiVersion) => {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      let list: { resources?: Array<{ name: string; kind: string; namespaced: boolean }> };
      try {
        list = (await fetchJson(client, path, {})) as typeof list;
      } catch (error) {
        if (apiStatus(error) === 404) return;
        throw kubeError(client, error, `discover the kinds of ${apiVersion}`);
      }
      for (const r of list.resources ?? []) {
        if (r.name.includes('/')) continue; // subresources such as deployments/status
        kinds.set(kindKey(apiVersion, r.kind), { apiVersion, kind: r.kind, resource: r.name, namespaced: r.namespaced });
      }
    }),
  );
  return kinds;
}

export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** Every object of a kind in a namespace (or cluster-wide): one LIST, paged with limit/continue. */
export async function listAll(client: KubeClient, resource: ApiResource, namespace?: string): Promise<LiveObject[]> {
  const path = collectionPath(resource, namespace);
  const items: LiveObject[] = [];
  let token: string | undefined;
  do {
    const page = (await getJson(client, path, { limit: PAGE_SIZE, continue: token }, `list ${resource.resource}${namespace ? ` in ${namespace}` : ''}`)) as {
      items?: LiveObject[];
      metadata?: { continue?: string };
    };
    for (const item of page.items ?? []) items.push({ ...item, apiVersion: resource.apiVersion, kind: resource.kind });
    token = page.metadata?.continue || undefined;
  } while (token);
  return items;
}

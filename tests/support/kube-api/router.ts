// URL paths to what they address, following the apiserver's RequestInfo rules
// (`/api/v1/namespaces/x/status` is the namespace's status, not a resource named "status").
import { ApiError } from './errors.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, serverVersion } from './discovery.js';
import { groupVersionDocument, openApiIndex } from './openapi.js';
import type { Registry } from './resources.js';
import type { Target } from './rest.js';

type Resolved = { document: unknown } | { target: Target };

function pathNotFound(): ApiError {
  return new ApiError(404, 'the server could not find the requested resource', 'NotFound', {});
}

function found(document: unknown): Resolved {
  if (document === undefined) throw pathNotFound();
  return { document };
}

/** `/openapi/v2` is not served: kubectl only falls back to it when v3 is missing. */
export function resolve(pathname: string, registry: Registry, serverAddress: string): Resolved {
  const parts = pathname.split('/').filter(Boolean);
  if (pathname === '/version') return found(serverVersion);
  if (pathname === '/openapi/v3') return found(openApiIndex(registry));
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const [root, group, version] = parts.slice(2);
    if (root === 'api' && group && !version) return found(groupVersionDocument(registry, '', group));
    if (root === 'apis' && group && version) return found(groupVersionDocument(registry, group, version));
    throw pathNotFound();
  }
  if (parts[0] === 'api') {
    if (parts.length === 1) return found(apiVersions(serverAddress));
    return resolveGroupVersion(registry, '', parts[1]!, parts.slice(2));
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return found(apiGroupList(registry));
    if (parts.length === 2) return found(apiGroup(registry, parts[1]!));
    return resolveGroupVersion(registry, parts[1]!, parts[2]!, parts.slice(3));
  }
  throw pathNotFound();
}

function resolveGroupVersion(registry: Registry, group: string, version: string, rest: string[]): Resolved {
  if (rest.length === 0) return found(apiResourceList(registry, group, version));
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  const type = registry.find(group, version, resource!);
  if (!type || extra.length > 0) throw pathNotFound();
  if (subresource !== undefined && (subresource !== 'status' || !type.status)) throw pathNotFound();
  if (namespace !== undefined && !type.namespaced) throw pathNotFound();
  // A namespaced object is only addressable inside its namespace; the bare path is the all-namespaces list.
  if (type.namespaced && namespace === undefined && name !== undefined) throw pathNotFound();
  return { target: { type, namespace, name, subresource } };
}

// Just enough OpenAPI v3 for `kubectl create -f` / `apply -f`: before sending, kubectl asks
// whether the server validates fields itself, by finding the kind's PATCH operation with a
// `fieldValidation` query parameter on the operation itself. When it does, kubectl skips client-side schema
// validation (which would need full schemas, and fails with /openapi/v2 and v3 both 404).
// The stand-in accepts `fieldValidation` and ignores it: unknown fields are kept.
import { createHash } from 'node:crypto';
import type { Registry, ResourceType } from './resources.js';

function groupVersionPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function itemPath(type: ResourceType): string {
  const scope = type.namespaced ? 'namespaces/{namespace}/' : '';
  return `/${groupVersionPath(type.group, type.version)}/${scope}${type.resource}/{name}`;
}

function patchOperation(type: ResourceType): Record<string, unknown> {
  return {
    patch: {
      operationId: `patch${type.kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: type.group, version: type.version, kind: type.kind },
      parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
      responses: { '200': { description: 'OK' } },
    },
  };
}

export function groupVersionDocument(registry: Registry, group: string, version: string): Record<string, unknown> | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths: Object.fromEntries(types.map((type) => [itemPath(type), patchOperation(type)])),
  };
}

/** The root index; the hash lets clients cache each group-version document. */
export function openApiIndex(registry: Registry): Record<string, unknown> {
  const groupVersions = [{ name: '', version: 'v1' }, ...registry.groups()];
  return {
    paths: Object.fromEntries(
      groupVersions.map(({ name, version }) => {
        const path = groupVersionPath(name, version);
        const hash = createHash('sha512')
          .update(JSON.stringify(groupVersionDocument(registry, name, version)))
          .digest('hex')
          .toUpperCase();
        return [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` }];
      }),
    ),
  };
}

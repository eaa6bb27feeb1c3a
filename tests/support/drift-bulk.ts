// Many objects for the request-count test and bench/drift.js: the live objects in the test
// API and the state (one kubernetes_manifest each) that declares them. No vitest import,
// so the benchmark can load it outside the test runner.
import type { KubeApiServer, KubeObject } from './kube-api-server.js';

export function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** A kubernetes_manifest instance as the provider stores it: manifest and object are dynamic values ({value, type}). */
export function manifestInstance(name: string, manifest: KubeObject): Record<string, unknown> {
  return {
    mode: 'managed',
    type: 'kubernetes_manifest',
    name,
    provider: 'provider["registry.opentofu.org/hashicorp/kubernetes"]',
    instances: [
      {
        schema_version: 1,
        attributes: { computed_fields: null, field_manager: [], manifest: { value: manifest, type: 'object' }, object: { value: manifest, type: 'object' }, timeouts: [], wait: [], wait_for: null },
        sensitive_attributes: [],
        private: 'bnVsbA==',
      },
    ],
  };
}

export function stateOf(resources: Array<Record<string, unknown>>): Record<string, unknown> {
  return { version: 4, terraform_version: '1.11.4', serial: 1, lineage: '5b0c2e8a-1d3f-4e6a-8b9c-0d1e2f3a4b5c', outputs: {}, resources, check_results: null };
}

/** Objects of one kind per namespace, for the request-count test and the benchmark. */
export type BulkLayout = Record<'ConfigMap' | 'Secret' | 'Service' | 'Deployment' | 'HorizontalPodAutoscaler', Record<string, number>>;

function bulkObject(kind: keyof BulkLayout, namespace: string, i: number): KubeObject {
  const name = `${kind.toLowerCase()}-${String(i).padStart(5, '0')}`;
  const metadata = { name, namespace, labels: { app: name } };
  switch (kind) {
    case 'ConfigMap':
      return { apiVersion: 'v1', kind, metadata, data: { index: String(i), mode: 'bulk' } };
    case 'Secret':
      return { apiVersion: 'v1', kind, metadata, type: 'Opaque', data: { token: b64(`token-${i}`) } };
    case 'Service':
      return { apiVersion: 'v1', kind, metadata, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } };
    case 'Deployment':
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata,
        spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'ghcr.io/example/app:1.0.0', resources: { limits: { cpu: '500m', memory: '128Mi' } } }] } } },
      };
    case 'HorizontalPodAutoscaler':
      return { apiVersion: 'autoscaling/v2', kind, metadata, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: 3 } };
  }
}

/** Seeds the objects of a layout into the test API and returns the state that declares them (kubernetes_manifest each). */
export function seedBulk(server: KubeApiServer, layout: BulkLayout): { state: Record<string, unknown>; objects: number } {
  const resources: Array<Record<string, unknown>> = [];
  for (const [kind, perNamespace] of Object.entries(layout) as Array<[keyof BulkLayout, Record<string, number>]>) {
    for (const [namespace, count] of Object.entries(perNamespace)) {
      for (let i = 0; i < count; i++) {
        const object = bulkObject(kind, namespace, i);
        server.put(object);
        resources.push(manifestInstance(`${kind.toLowerCase()}_${namespace.replace(/-/g, '_')}_${i}`, object));
      }
    }
  }
  return { state: stateOf(resources), objects: resources.length };
}

// The status fixture's S3 states and live objects (tests/fixtures/status: arc-runners ->
// attic -> gitlab-runners -> runner-dashboard), for tests (status-project.ts) and the
// benchmark: each stack's state holds a release marker and its settings ConfigMap, as tofu
// with the kubernetes provider would have written it, and the API server holds the objects
// that match it, so that with nothing changed every stack is in sync. arc-runners has two
// ARC scale sets behind its drain guard.
import { randomUUID } from 'node:crypto';
import { addHelmManagedScaleSet } from './helm-release.js';
import type { KubeApiServer } from './kube-api-server.js';
import { providerRegistry } from './kube-provider.js';

export const STACKS = ['arc-runners', 'attic', 'gitlab-runners', 'runner-dashboard'];

function settingsData(stack: string): Record<string, string> {
  return { RELEASE: '1', STACK: stack };
}

const labels = (stack: string) => ({ 'app.kubernetes.io/part-of': stack });

/** A state as terraform/tofu write it (format 4) for the fixture's root module, at serial 3, release "1". */
export function stackState(stack: string, registry = providerRegistry()): object {
  const release = '1';
  return {
    version: 4,
    terraform_version: '1.5.7',
    serial: 3,
    lineage: randomUUID(),
    outputs: {},
    resources: [
      {
        mode: 'managed',
        type: 'kubernetes_config_map_v1',
        name: 'settings',
        provider: `provider["${registry}/hashicorp/kubernetes"]`,
        instances: [
          {
            schema_version: 0,
            attributes: {
              binary_data: null,
              data: settingsData(stack),
              id: `${stack}/settings`,
              immutable: false,
              metadata: [{ annotations: {}, generate_name: '', generation: 0, labels: labels(stack), name: 'settings', namespace: stack, resource_version: '41', uid: randomUUID() }],
            },
            sensitive_attributes: [],
            private: 'bnVsbA==',
          },
        ],
      },
      {
        mode: 'managed',
        type: 'terraform_data',
        name: 'release',
        provider: 'provider["terraform.io/builtin/terraform"]',
        instances: [
          {
            schema_version: 0,
            attributes: { id: randomUUID(), input: { value: release, type: 'string' }, output: { value: release, type: 'string' }, triggers_replace: null },
            sensitive_attributes: [],
          },
        ],
      },
    ],
  };
}

/** The stack's namespace and settings ConfigMap as the API server holds them once applied. */
export function seedStack(server: KubeApiServer, stack: string): void {
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: stack } });
  server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: stack, labels: labels(stack) }, data: settingsData(stack) });
}

/** Every fixture stack's state (uploaded with `upload(key, body)`) and live objects, and the ARC scale sets. */
export async function seedStatusProject(server: KubeApiServer, upload: (key: string, body: string) => Promise<void>): Promise<void> {
  for (const stack of STACKS) {
    await upload(stateKey(stack), JSON.stringify(stackState(stack), null, 2));
    seedStack(server, stack);
  }
  addHelmManagedScaleSet(server, { namespace: 'arc-runners', name: 'nix-baseline', min: 1, max: 10 });
  addHelmManagedScaleSet(server, { namespace: 'arc-runners', name: 'docker-baseline', min: 2, max: 8 });
}

export const stateKey = (stack: string) => `dev/${stack}/terraform.tfstate`;

// The four-stack status project (tests/fixtures/status: arc-runners -> attic ->
// gitlab-runners -> runner-dashboard) on a test Kubernetes API and a local S3 server:
// each stack's state in S3 (a release marker and its settings ConfigMap, as tofu with the
// kubernetes provider would have written it) and the live objects that match it, so that
// with nothing changed every stack is in sync. arc-runners has two ARC scale sets behind
// its drain guard. Tests then change the repo (TF_VAR_*), the cluster or the bucket.
import { randomUUID } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { addHelmManagedScaleSet } from './helm-release.js';
import { KubeApiServer, type StoredObject } from './kube-api-server.js';
import { installKubeProvider, providerRegistry } from './kube-provider.js';
import { writeKubeconfig } from './kubeconfig.js';
import { copyFixture, removeFixtures } from './project.js';
import { startLocalS3, type LocalS3 } from './s3.js';

export const STACKS = ['arc-runners', 'attic', 'gitlab-runners', 'runner-dashboard'];
const TOKEN = 'test-status-token-8e21';

export interface StatusProject {
  server: KubeApiServer;
  s3: LocalS3;
  dir: string;
  /** ENV, backend variables, KUBECONFIG and the provider stand-in's CLI configuration. */
  env: Record<string, string>;
  /** Writes a stack's state at serial `serial` (its release marker at `release`). */
  uploadState(stack: string, options?: { serial?: number; release?: string }): Promise<void>;
  /** Adds a stack to the project (same root module), with its state and live objects. */
  addStack(name: string, dependsOn?: string[]): Promise<void>;
  /** A kubectl-style edit of a live object (read, change, write back). */
  edit(apiVersion: string, kind: string, namespace: string, name: string, change: (o: StoredObject) => void): void;
}

const running: Array<{ stop(): Promise<void> }> = [];

export function cleanUpStatusProjects(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    removeFixtures();
  });
}

function settingsData(stack: string): Record<string, string> {
  return { RELEASE: '1', STACK: stack };
}

const labels = (stack: string) => ({ 'app.kubernetes.io/part-of': stack });

/** A state as terraform/tofu write it (format 4) for the fixture's root module. */
export function stackState(stack: string, { serial = 3, release = '1', lineage = randomUUID(), uid = randomUUID(), registry = providerRegistry() } = {}): object {
  return {
    version: 4,
    terraform_version: '1.5.7',
    serial,
    lineage,
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
              metadata: [{ annotations: {}, generate_name: '', generation: 0, labels: labels(stack), name: 'settings', namespace: stack, resource_version: '41', uid }],
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
function seedStack(server: KubeApiServer, stack: string): void {
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: stack } });
  server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: stack, labels: labels(stack) }, data: settingsData(stack) });
}

export async function statusProject(): Promise<StatusProject> {
  const server = await new KubeApiServer({ token: TOKEN }).start();
  const s3 = await startLocalS3();
  running.push(server, s3);
  const dir = copyFixture('status');
  const kubeconfig = await writeKubeconfig(server, { token: TOKEN, context: 'test-status' });
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  running.push({ stop: async () => client.destroy() });
  const uploadState = async (stack: string, { serial = 3, release = '1' } = {}) => {
    const body = JSON.stringify(stackState(stack, { serial, release }), null, 2);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `dev/${stack}/terraform.tfstate`, Body: body }));
  };
  for (const stack of STACKS) {
    await uploadState(stack);
    seedStack(server, stack);
  }
  addHelmManagedScaleSet(server, { namespace: 'arc-runners', name: 'nix-baseline', min: 1, max: 10 });
  addHelmManagedScaleSet(server, { namespace: 'arc-runners', name: 'docker-baseline', min: 2, max: 8 });
  return {
    server,
    s3,
    dir,
    env: { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig, ...installKubeProvider(dir) },
    uploadState,
    async addStack(name, dependsOn = []) {
      const folder = path.join(dir, 'stacks', name);
      mkdirSync(folder);
      symlinkSync('../../modules/stack-root.tf', path.join(folder, 'main.tf'));
      writeFileSync(path.join(folder, 'stack.yaml'), `description: added by the test\nnamespaces: [${name}]\ndependsOn: [${dependsOn.join(', ')}]\nstate:\n  keyTemplate: "{env}/{stack}/terraform.tfstate"\n`);
      await uploadState(name);
      seedStack(server, name);
    },
    edit(apiVersion, kind, namespace, name, change) {
      const object = server.get(apiVersion, kind, namespace, name);
      if (!object) throw new Error(`no ${kind} ${namespace}/${name}`);
      const copy = structuredClone(object);
      change(copy);
      server.put(copy);
    },
  };
}

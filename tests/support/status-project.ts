// The four-stack status project on a test Kubernetes API and a local S3 server, seeded by
// status-seed.ts so that every stack is in sync; tests then change the repo (TF_VAR_*),
// the cluster or the bucket.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { KubeApiServer, type StoredObject } from './kube-api-server.js';
import { installKubeProvider } from './kube-provider.js';
import { writeKubeconfig } from './kubeconfig.js';
import { copyFixture, removeFixtures } from './project.js';
import { startLocalS3, type LocalS3 } from './s3.js';
import { seedStack, seedStatusProject, stackState, stateKey } from './status-seed.js';

const TOKEN = 'test-status-token-8e21';

export interface StatusProject {
  server: KubeApiServer;
  s3: LocalS3;
  dir: string;
  /** ENV, backend variables, KUBECONFIG and the provider stand-in's CLI configuration. */
  env: Record<string, string>;
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

export async function statusProject(): Promise<StatusProject> {
  const server = await new KubeApiServer({ token: TOKEN }).start();
  const s3 = await startLocalS3();
  running.push(server, s3);
  const dir = copyFixture('status');
  const kubeconfig = await writeKubeconfig(server, { token: TOKEN, context: 'test-status' });
  const upload = (key: string, body: string) => s3.write(key, body);
  await seedStatusProject(server, upload);
  return {
    server,
    s3,
    dir,
    env: { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig, ...installKubeProvider(dir) },
    async addStack(name, dependsOn = []) {
      const folder = path.join(dir, 'stacks', name);
      mkdirSync(folder);
      symlinkSync('../../modules/stack-root.tf', path.join(folder, 'main.tf'));
      writeFileSync(path.join(folder, 'stack.yaml'), `description: added by the test\nnamespaces: [${name}]\ndependsOn: [${dependsOn.join(', ')}]\nstate:\n  keyTemplate: "{env}/{stack}/terraform.tfstate"\n`);
      await upload(stateKey(name), JSON.stringify(stackState(name), null, 2));
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

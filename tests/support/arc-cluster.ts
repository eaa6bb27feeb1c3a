import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { REPO_ROOT } from './cli.js';
import { addHelmManagedScaleSet } from './helm-release.js';
import { KubeApiServer } from './kube-api-server.js';
import { writeKubeconfig } from './kubeconfig.js';
import { copyFixture, removeFixtures } from './project.js';
import { startLocalS3, type LocalS3 } from './s3.js';

export const NS = 'arc-runners';
const TOKEN = 'test-kube-token-4d1c';

export interface ArcCluster {
  server: KubeApiServer;
  s3: LocalS3;
  dir: string;
  kubeconfig: string;
  /** ENV, backend variables, KUBECONFIG and the Helm stand-in for the fixture's local-exec. */
  env: Record<string, string>;
  /** [min, max] of a scale set as stored now (null for an absent field). */
  caps(name: string): [number | null, number | null];
  annotation(name: string): string | undefined;
  /** Requests that changed something (not GET, not a watch). */
  writes(): Array<{ method: string; path: string }>;
  /** Every write that left a scale set at 0/0 without its drain record (the guard's one rule; checked after each test). */
  unrecordedDrains: string[];
}

const running: Array<{ stop(): Promise<void> }> = [];
const clusters: ArcCluster[] = [];

/**
 * The test Kubernetes API with three Helm-managed ARC scale sets (nix-baseline 1/10,
 * docker-baseline 2/8, dind-baseline 0/unlimited), a local S3 server and a copy of the
 * arc fixture project whose kubeconfig context is test-arc.
 */
export async function arcCluster({ arcCrds = true } = {}): Promise<ArcCluster> {
  const server = await new KubeApiServer({ token: TOKEN, arcCrds }).start();
  const s3 = await startLocalS3();
  running.push(server, s3);
  if (arcCrds) {
    server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    addHelmManagedScaleSet(server, { namespace: NS, name: 'nix-baseline', min: 1, max: 10 });
    addHelmManagedScaleSet(server, { namespace: NS, name: 'docker-baseline', min: 2, max: 8 });
    addHelmManagedScaleSet(server, { namespace: NS, name: 'dind-baseline', min: 0 });
  }
  const dir = copyFixture('arc');
  const kubeconfig = await writeKubeconfig(server, { token: TOKEN, context: 'test-arc' });
  const unrecordedDrains: string[] = [];
  server.onChange(({ object }) => {
    const caps = object.spec as { minRunners?: number; maxRunners?: number } | undefined;
    if (object.kind === 'AutoscalingRunnerSet' && caps?.minRunners === 0 && caps.maxRunners === 0 && !object.metadata.annotations?.['foundation/drain']) {
      unrecordedDrains.push(`${object.metadata.namespace}/${object.metadata.name} at resourceVersion ${object.metadata.resourceVersion}`);
    }
  });
  const spec = (name: string) => (server.get(`actions.github.com/v1alpha1`, 'autoscalingrunnersets', NS, name)?.spec ?? {}) as { minRunners?: number; maxRunners?: number };
  const cluster: ArcCluster = {
    server,
    s3,
    dir,
    kubeconfig,
    env: { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig, HELM_STAND_IN: path.join(REPO_ROOT, 'tests/support/helm-upgrade-stand-in.mjs') },
    caps: (name) => [spec(name).minRunners ?? null, spec(name).maxRunners ?? null],
    annotation: (name) => (server.get('actions.github.com/v1alpha1', 'autoscalingrunnersets', NS, name)?.metadata.annotations as Record<string, string> | undefined)?.['foundation/drain'],
    writes: () => server.requests.filter((r) => r.method !== 'GET').map((r) => ({ method: r.method, path: r.path })),
    unrecordedDrains,
  };
  clusters.push(cluster);
  return cluster;
}

export function cleanUpArcClusters(): void {
  afterEach(async () => {
    const violations = clusters.splice(0).flatMap((c) => c.unrecordedDrains);
    await Promise.all(running.splice(0).map((r) => r.stop()));
    removeFixtures();
    expect(violations, 'a scale set was left at 0/0 without its drain record').toEqual([]);
  });
}

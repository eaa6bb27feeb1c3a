// The lab cluster for tests: three simulated Talos machines behind tests/support/fake-talosctl
// (state in a temp folder), the test Kubernetes API their kubeconfig points at, a copy of
// the talos fixture project, and a HOME, KUBECONFIG and secrets bundle path outside it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { REPO_ROOT } from './cli.js';
import { KubeApiServer } from './kube-api-server.js';
import { copyFixture, removeFixtures } from './project.js';

export const FAKE_TALOSCTL = path.join(REPO_ROOT, 'tests', 'support', 'fake-talosctl');
export const CONTROL_PLANE = '192.0.2.11';
export const WORKERS = ['192.0.2.21', '192.0.2.22'];
const TOKEN = 'lab-admin-token-7f3a9c';
/** Each lab test runs the CLI several times in a row: room for a busy machine (never a speed check). */
export const LAB_TIMEOUT = 240_000;

export interface MachineState {
  hostname: string;
  state: 'maintenance' | 'configured';
  etcd?: boolean;
  healthy?: boolean;
  role?: string;
  config?: string;
  clusterName?: string;
  memberId?: string;
}

export interface TalosLab {
  server: KubeApiServer;
  /** The project (a copy of tests/fixtures/talos). */
  dir: string;
  /** HOME, KUBECONFIG's folder and the secrets bundle live here, outside the project. */
  home: string;
  kubeconfig: string;
  bundle: string;
  env: Record<string, string>;
  /** The argv of every talosctl call so far. */
  calls(): string[][];
  machine(address: string): MachineState | undefined;
  setMachine(address: string, state: Partial<MachineState> | undefined): void;
}

const made: Array<{ stop(): Promise<void> } | string> = [];

/** Three machines in maintenance mode (192.0.2.11 control plane, .21 and .22 workers). */
export async function talosLab(): Promise<TalosLab> {
  const server = await new KubeApiServer({ token: TOKEN, arcCrds: false }).start();
  const home = mkdtempSync(path.join(tmpdir(), 'foundation-lab-home-'));
  const state = path.join(home, 'talos-state');
  mkdirSync(state);
  made.push(server, home);
  const lab = {
    kube: { server: server.url, token: TOKEN },
    nodes: Object.fromEntries([
      [CONTROL_PLANE, { hostname: 'lab-cp-1', state: 'maintenance', healthy: true }],
      [WORKERS[0], { hostname: 'lab-w-1', state: 'maintenance', healthy: true }],
      [WORKERS[1], { hostname: 'lab-w-2', state: 'maintenance', healthy: true }],
    ]),
  };
  const labFile = path.join(state, 'lab.json');
  writeFileSync(labFile, JSON.stringify(lab, null, 2));
  const dir = copyFixture('talos');
  const kubeconfig = path.join(home, '.kube', 'config');
  const bundle = path.join(home, 'secrets', 'lab-secrets.yaml');
  const read = () => JSON.parse(readFileSync(labFile, 'utf8')) as { nodes: Record<string, MachineState> };
  return {
    server,
    dir,
    home,
    kubeconfig,
    bundle,
    env: {
      HOME: home,
      ENV: 'lab',
      KUBECONFIG: kubeconfig,
      FOUNDATION_TALOSCTL_BIN: FAKE_TALOSCTL,
      FAKE_TALOSCTL_STATE: state,
      FOUNDATION_LAB_TALOS_SECRETS: bundle,
    },
    calls: () => {
      const text = (() => {
        try {
          return readFileSync(path.join(state, 'calls.jsonl'), 'utf8');
        } catch {
          return '';
        }
      })();
      return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { argv: string[] }).argv);
    },
    machine: (address) => read().nodes[address],
    setMachine: (address, patch) => {
      const current = JSON.parse(readFileSync(labFile, 'utf8')) as { nodes: Record<string, MachineState> };
      if (patch === undefined) delete current.nodes[address];
      else current.nodes[address] = { ...current.nodes[address]!, ...patch };
      writeFileSync(labFile, JSON.stringify(current, null, 2));
    },
  };
}

/** What a workload-ready cluster holds: default StorageClass, IngressClass, ready CoreDNS, the secrets operator's CRDs, eve-skill-farm available. */
export function makeWorkloadReady(server: KubeApiServer, { defaultStorageClass = true } = {}): void {
  server.put({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local-path', ...(defaultStorageClass ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    provisioner: 'rancher.io/local-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  for (const name of ['coredns-64b67fc8f-4kx2p', 'coredns-64b67fc8f-9wq7d']) {
    server.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.3' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'coredns', ready: true, restartCount: 0 }] },
    });
  }
  for (const plural of ['externalsecrets', 'clustersecretstores']) {
    server.put({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.external-secrets.io` },
      spec: { group: 'external-secrets.io', scope: plural.startsWith('cluster') ? 'Cluster' : 'Namespaced', names: { plural, kind: plural === 'externalsecrets' ? 'ExternalSecret' : 'ClusterSecretStore' }, versions: [{ name: 'v1', served: true, storage: true }] },
      status: { conditions: [{ type: 'NamesAccepted', status: 'True' }, { type: 'Established', status: 'True' }] },
    });
  }
  server.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'eve-skill-farm', namespace: 'eve-skill-farm', generation: 1 },
    spec: { replicas: 2, selector: { matchLabels: { app: 'eve-skill-farm' } }, template: { metadata: { labels: { app: 'eve-skill-farm' } }, spec: { containers: [{ name: 'app', image: 'registry.example/eve-skill-farm:1.0.0' }] } } },
    status: { observedGeneration: 1, replicas: 2, readyReplicas: 2, availableReplicas: 2, updatedReplicas: 2, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] },
  });
}

export function cleanUpTalosLabs(): void {
  afterEach(async () => {
    for (const item of made.splice(0)) {
      if (typeof item === 'string') rmSync(item, { recursive: true, force: true });
      else await item.stop();
    }
    removeFixtures();
  });
}

/**
 * A lab whose machines are configured and etcd bootstrapped, with configs generated and
 * the kubeconfig merged through the CLI: the starting point of status and kubectl tests.
 */
export async function bootstrappedLab(run: (lab: TalosLab, args: string[]) => Promise<{ exitCode: number; stderr: string }>): Promise<TalosLab> {
  const lab = await talosLab();
  const config = await run(lab, ['cluster', 'config', 'lab', '--new-secrets']);
  if (config.exitCode !== 0) throw new Error(`cluster config failed: ${config.stderr}`);
  lab.setMachine(CONTROL_PLANE, { state: 'configured', role: 'controlplane', etcd: true, clusterName: 'lab', memberId: '2c6e1ad3f0b45e7a' });
  for (const worker of WORKERS) lab.setMachine(worker, { state: 'configured', role: 'worker', clusterName: 'lab' });
  const kubeconfig = await run(lab, ['cluster', 'kubeconfig', 'lab']);
  if (kubeconfig.exitCode !== 0) throw new Error(`cluster kubeconfig failed: ${kubeconfig.stderr}`);
  return lab;
}

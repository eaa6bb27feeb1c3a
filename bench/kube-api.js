// The test Kubernetes API (tests/support/kube-api-server.ts) for the benchmarks, seeded with
// many objects for `foundation drift`: bundled from its TypeScript (bench/bundle.js: Node 20
// does not run .ts), then it runs in the calling
// process over https on 127.0.0.1 and counts every request. Used by bench/drift.js and the
// `drift` scenario of bench/run.js.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleModules } from './bundle.js';
import { stringify } from 'yaml';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const KINDS = ['ConfigMap', 'Secret', 'Service', 'Deployment', 'HorizontalPodAutoscaler'];
/** The plural each kind is listed by (`kubectl get <these> -n <ns>`). */
export const RESOURCES = ['configmaps', 'secrets', 'services', 'deployments', 'horizontalpodautoscalers'];
export const NAMESPACES = ['team-a', 'team-b', 'team-c'];
const TOKEN = 'bench-drift-token';

/** An even spread of `total` objects over the five kinds, with the first namespace the fullest (so it pages). */
export function layout(total) {
  const perKind = Math.floor(total / KINDS.length);
  const result = {};
  KINDS.forEach((kind, k) => {
    const count = k === KINDS.length - 1 ? total - perKind * (KINDS.length - 1) : perKind;
    const rest = Math.floor((count * 0.6) / 2);
    result[kind] = { 'team-a': count - 2 * rest, 'team-b': rest, 'team-c': rest };
  });
  return result;
}

/**
 * Starts the test API with `total` objects, all in sync with a state file that declares
 * them (one kubernetes_manifest each), and writes the drift fixture project
 * (tests/fixtures/drift, stack "bulk") and a kubeconfig (context test-drift) beside it.
 */
export async function startBulkCluster(total, log = () => {}) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-drift-'));
  try {
    const support = await bundleModules(REPO_ROOT, { 'kube-api-server': 'tests/support/kube-api-server.ts', 'drift-bulk': 'tests/support/drift-bulk.ts' }, path.join(REPO_ROOT, 'bench', '.work', 'drift-support'));
    const { KubeApiServer } = support['kube-api-server'];
    const { seedBulk } = support['drift-bulk'];
    const server = await new KubeApiServer({ token: TOKEN }).start();
    log(`seeding ${total} objects`);
    const spread = layout(total);
    const { state, objects } = seedBulk(server, spread);
    const project = path.join(work, 'project');
    cpSync(path.join(REPO_ROOT, 'tests/fixtures/drift'), project, { recursive: true });
    const stateFile = path.join(work, 'bulk.tfstate');
    writeFileSync(stateFile, JSON.stringify(state));
    const kubeconfig = path.join(work, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'bench', cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'bench', user: { token: TOKEN } }],
        contexts: [{ name: 'test-drift', context: { cluster: 'bench', user: 'bench' } }],
        'current-context': 'test-drift',
      }),
      { mode: 0o600 },
    );
    return {
      server,
      work,
      project,
      stateFile,
      kubeconfig,
      objects,
      layout: spread,
      async stop() {
        await server.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

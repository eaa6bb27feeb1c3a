// What the drain-guard fault tests share: the arc fixture's scale sets and their caps, the
// requests a restore and a renewal send, and how a test sees the outcome (caps, records,
// Lease, whether tofu applied) or holds a guarded apply at a chosen point.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { NS, type ArcCluster } from './arc-cluster.js';
import { spawnCli } from './cli.js';

export const SETS = ['nix-baseline', 'docker-baseline', 'dind-baseline'];
export const ORIGINAL: Record<string, [number | null, number | null]> = { 'nix-baseline': [1, 10], 'docker-baseline': [2, 8], 'dind-baseline': [0, null] };
const STATE = 'dev/arc-runners/terraform.tfstate';
export const RESTORE_PATCH = { method: 'PATCH', path: /\/autoscalingrunnersets\/[^/]+$/, body: '"foundation/drain":null' };
export const LEASE_PUT = { method: 'PUT', path: /\/leases\/foundation-drain$/ };

export const drained = (cluster: ArcCluster) => SETS.every((s) => cluster.caps(s)[0] === 0 && cluster.caps(s)[1] === 0);
export const lease = (cluster: ArcCluster) => cluster.server.get('coordination.k8s.io/v1', 'Lease', NS, 'foundation-drain');
export const runnerLists = (cluster: ArcCluster) => cluster.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/ephemeralrunners') && !/watch=(true|1)/.test(r.query));
export const runnerWatches = (cluster: ArcCluster) => cluster.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/ephemeralrunners') && /watch=(true|1)/.test(r.query));

/** The revision tofu applied last, from the state object (undefined: tofu never applied). */
export async function appliedRevision(cluster: ArcCluster): Promise<string | undefined> {
  const keys = await cluster.s3.keys();
  if (!keys.includes(STATE)) return undefined;
  const state = JSON.parse(await cluster.s3.read(STATE)) as { resources: Array<{ type: string; name: string; instances: Array<{ attributes: { input?: { value?: unknown } } }> }> };
  const marker = state.resources.find((r) => r.type === 'terraform_data' && r.name === 'marker');
  return marker ? String(marker.instances[0]!.attributes.input?.value) : undefined;
}

export function expectRestored(cluster: ArcCluster) {
  for (const set of SETS) {
    expect(cluster.caps(set), set).toEqual(ORIGINAL[set]);
    expect(cluster.annotation(set), set).toBeUndefined();
  }
  expect(lease(cluster)).toBeUndefined();
}

export function expectNoTrace(stderr: string) {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toContain('looks like a bug');
}

/** A guarded apply (of a marker change) that waits for a busy runner of nix-baseline, started in the background. */
export function waitingApply(cluster: ArcCluster, args: string[] = [], env: Record<string, string> = {}) {
  cluster.server.addRunner({ namespace: NS, scaleSet: 'nix-baseline', name: 'nix-busy', busy: true });
  return spawnCli(['apply', 'arc-runners', '--auto-approve', ...args], { cwd: cluster.dir, env: { ...cluster.env, TF_VAR_revision: '2', ...env } });
}

/** A shell command for the fixture's during_apply: tofu is applying until the test creates `go`. */
export function applyGate(cluster: ArcCluster) {
  const started = path.join(cluster.dir, 'applying');
  const go = path.join(cluster.dir, 'go');
  return {
    command: `touch '${started}'; while [ ! -e '${go}' ]; do sleep 0.05; done`,
    started: () => existsSync(started),
    release: () => writeFileSync(go, ''),
  };
}

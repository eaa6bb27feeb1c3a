import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConfigArgs, genConfigArgs, healthArgs, kubeconfigArgs, talosTarget } from '../../src/cluster/argv.js';
import { clusterNodes, requireCluster } from '../../src/cluster/clusters.js';
import { mergeKubeconfig, type Kubeconfig } from '../../src/cluster/kubeconfig-merge.js';
import { findFlag, KUBECTL_AIMING, KUBECTL_NAMESPACE, pinnedKubectlArgs, splitPassthrough, withPinned } from '../../src/cluster/pinning.js';
// parse.ts directly: the validation under test lives there (load.ts adds the cache and loads parse.js, built, lazily)
import { parseProject } from '../../src/config/parse.js';
import { kubeContextFor } from '../../src/config/resolve.js';
import { REPO_ROOT } from '../support/cli.js';

const project = parseProject(path.join(REPO_ROOT, 'tests/fixtures/talos'));
const lab = requireCluster(project, 'lab');

describe('clusters in foundation.yaml', () => {
  it('ENV=lab resolves to the lab cluster\'s kube context', () => {
    expect(kubeContextFor(project, project.stacks.get('eve-skill-farm'), 'lab', undefined, {})).toBe('lab');
  });

  it('an environment naming an unknown cluster, or another context than its cluster\'s, is refused at load', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'foundation-clusters-'));
    mkdirSync(path.join(dir, 'stacks'));
    const cluster = 'clusters: { lab: { endpoint: "https://192.0.2.10:6443", talosEndpoints: [192.0.2.11], nodes: { controlPlane: [{ address: 192.0.2.11 }] }, talosVersion: v1.11.5, kubernetesVersion: v1.34.1, kubeContext: lab, secretsBundleEnv: LAB_SECRETS } }';
    writeFileSync(path.join(dir, 'foundation.yaml'), `environments: { lab: { cluster: labb } }\n${cluster}\n`);
    expect(() => parseProject(dir)).toThrow('foundation.yaml: field "environments.lab.cluster": unknown cluster "labb"');
    writeFileSync(path.join(dir, 'foundation.yaml'), `environments: { lab: { cluster: lab, kubeContext: honey } }\n${cluster}\n`);
    expect(() => parseProject(dir)).toThrow('foundation.yaml: field "environments.lab.kubeContext": "honey" is not cluster lab\'s context "lab"');
    writeFileSync(path.join(dir, 'foundation.yaml'), `environments: { lab: { cluster: lab } }\n${cluster.replace('192.0.2.11 }', 'lab-cp-1 }')}\n`);
    expect(() => parseProject(dir)).toThrow('field "clusters.lab.nodes.controlPlane.0.address": must be an IPv4 or IPv6 address');
  });

  it('lists control-plane nodes first (the bootstrap node), then workers', () => {
    expect(clusterNodes(lab).map((n) => `${n.role}:${n.address}`)).toEqual(['controlplane:192.0.2.11', 'worker:192.0.2.21', 'worker:192.0.2.22']);
  });
});

describe('talosctl argv', () => {
  const target = talosTarget(lab);
  const [cp, worker] = [clusterNodes(lab)[0]!, clusterNodes(lab)[1]!];

  it('gen config: name, endpoint, bundle, versions, patches as @file, no docs', () => {
    expect(genConfigArgs(lab, '/repo', '/secrets/lab.yaml', '/repo/.foundation/clusters/lab/.gen-x')).toEqual([
      'gen', 'config', 'lab', 'https://192.0.2.10:6443', '--with-secrets', '/secrets/lab.yaml', '--talos-version', 'v1.11.5', '--kubernetes-version', 'v1.34.1',
      '--config-patch', '@/repo/clusters/lab/common.yaml', '--config-patch-control-plane', '@/repo/clusters/lab/controlplane.yaml', '--config-patch-worker', '@/repo/clusters/lab/worker.yaml',
      '--with-docs=false', '--with-examples=false', '--output', '/repo/.foundation/clusters/lab/.gen-x',
    ]);
  });

  it('apply-config: --insecure goes to the node alone; otherwise through the endpoints with the talosconfig', () => {
    expect(applyConfigArgs(target, worker, 'w.yaml', { insecure: true, dryRun: true })).toEqual(['apply-config', '--insecure', '--nodes', '192.0.2.21', '--file', 'w.yaml', '--dry-run']);
    expect(applyConfigArgs(target, cp, 'cp.yaml', {})).toEqual(['apply-config', '--talosconfig', target.talosconfig, '--endpoints', '192.0.2.11', '--nodes', '192.0.2.11', '--file', 'cp.yaml']);
  });

  it('health names every node; kubeconfig goes to stdout unmerged', () => {
    expect(healthArgs(target, lab, '90s').slice(-6)).toEqual(['--control-plane-nodes', '192.0.2.11', '--worker-nodes', '192.0.2.21,192.0.2.22', '--wait-timeout', '90s']);
    expect(kubeconfigArgs(target, cp).slice(-2)).toEqual(['--merge=false', '-']);
  });
});

describe('pinning kubectl and talosctl', () => {
  it('finds aiming flags in every spelling, not inside a nested --', () => {
    expect(findFlag(['get', 'pods', '--context', 'x'], KUBECTL_AIMING)).toBe('--context');
    expect(findFlag(['get', 'pods', '--context=x'], KUBECTL_AIMING)).toBe('--context=x');
    expect(findFlag(['get', 'pods', '--kubeconfig=/k'], KUBECTL_AIMING)).toBe('--kubeconfig=/k');
    expect(findFlag(['get', 'pods', '--contexts'], KUBECTL_AIMING)).toBeUndefined();
    expect(findFlag(['exec', 'p', '--', 'sh', '--context', 'x'], KUBECTL_AIMING)).toBeUndefined();
  });

  it('adds -n only when the args choose no namespace', () => {
    expect(pinnedKubectlArgs('lab', 'eve', ['get', 'pods'])).toEqual(['--context', 'lab', '--namespace', 'eve', 'get', 'pods']);
    for (const args of [['get', 'pods', '-n', 'x'], ['get', 'pods', '-nx'], ['get', 'pods', '--namespace=x'], ['get', 'pods', '-A'], ['get', 'pods', '--all-namespaces']]) {
      expect(findFlag(args, KUBECTL_NAMESPACE)).toBeDefined();
      expect(pinnedKubectlArgs('lab', 'eve', args)).toEqual(['--context', 'lab', ...args]);
    }
    expect(pinnedKubectlArgs('lab', undefined, ['get', 'nodes'])).toEqual(['--context', 'lab', 'get', 'nodes']);
  });

  it('puts talosctl\'s pinned flags before a nested --, else at the end', () => {
    expect(withPinned(['version'], ['--nodes', 'a'])).toEqual(['version', '--nodes', 'a']);
    expect(withPinned(['read', '--', '/etc/os-release'], ['--nodes', 'a'])).toEqual(['read', '--nodes', 'a', '--', '/etc/os-release']);
  });

  it('splits foundation\'s operands from the tool\'s at the first -- of the command line', () => {
    expect(splitPassthrough(['eve', 'get', 'pods'], ['node', 'cli', 'kubectl', 'eve', '--', 'get', 'pods'])).toEqual({ own: ['eve'], tool: ['get', 'pods'] });
    expect(splitPassthrough(['get'], ['node', 'cli', 'kubectl', '--cluster', 'lab', '--', 'get'])).toEqual({ own: [], tool: ['get'] });
    expect(splitPassthrough(['eve'], ['node', 'cli', 'kubectl', 'eve'])).toBeUndefined();
  });
});

describe('merging the admin kubeconfig', () => {
  const fetched: Kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server: 'https://192.0.2.10:6443', 'certificate-authority-data': 'Q0E=' } }],
    users: [{ name: 'admin@lab', user: { 'client-certificate-data': 'bmV3', 'client-key-data': 'a2V5' } }],
    contexts: [{ name: 'admin@lab', context: { cluster: 'lab', user: 'admin@lab', namespace: 'default' } }],
    'current-context': 'admin@lab',
  };

  it('into nothing: one context under the configured name, current', () => {
    const { config, replaced } = mergeKubeconfig(undefined, fetched, 'lab');
    expect(config.contexts).toEqual([{ name: 'lab', context: { cluster: 'lab', user: 'admin@lab', namespace: 'default' } }]);
    expect(config['current-context']).toBe('lab');
    expect(replaced).toEqual([]);
  });

  it('again, and over talosctl\'s own renamed merges: still one context for the server; others untouched, current kept', () => {
    const existing: Kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'lab', cluster: { server: 'https://192.0.2.10:6443' } },
        { name: 'lab-1', cluster: { server: 'https://192.0.2.10:6443' } },
        { name: 'honey', cluster: { server: 'https://honey.example:6443' } },
      ],
      users: [{ name: 'admin@lab', user: { token: 'old' } }, { name: 'admin@lab-1', user: { token: 'older' } }, { name: 'honey', user: { token: 'h' } }],
      contexts: [
        { name: 'lab', context: { cluster: 'lab', user: 'admin@lab' } },
        { name: 'admin@lab-1', context: { cluster: 'lab-1', user: 'admin@lab-1' } },
        { name: 'honey', context: { cluster: 'honey', user: 'honey' } },
      ],
      'current-context': 'honey',
    };
    const { config, replaced } = mergeKubeconfig(existing, fetched, 'lab');
    expect(config.contexts!.map((c) => c.name)).toEqual(['honey', 'lab']);
    expect(config.clusters!.map((c) => c.name)).toEqual(['honey', 'lab']);
    expect(config.users!.map((u) => u.name)).toEqual(['honey', 'admin@lab']);
    expect(config.users!.find((u) => u.name === 'admin@lab')!.user).toEqual({ 'client-certificate-data': 'bmV3', 'client-key-data': 'a2V5' });
    expect(config['current-context']).toBe('honey');
    expect(replaced).toEqual(['admin@lab-1']);
  });
});

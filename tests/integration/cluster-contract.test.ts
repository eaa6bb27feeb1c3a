import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { RKE2_KUBELET, seedHoney } from '../support/honey.js';
import { KubeApiServer, type StoredObject } from '../support/kube-api-server.js';
import { writeKubeconfig } from '../support/kubeconfig.js';

const TOKEN = 'honey-token-5b1e';
const running: KubeApiServer[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** This repository's foundation.yaml and stacks/, with context "honey" aimed at the test API seeded as the contract describes. */
async function honey() {
  const server = await new KubeApiServer({ token: TOKEN }).start();
  running.push(server);
  seedHoney(server);
  const dir = mkdtempSync(path.join(tmpdir(), 'foundation-honey-'));
  dirs.push(dir);
  cpSync(path.join(REPO_ROOT, 'foundation.yaml'), path.join(dir, 'foundation.yaml'));
  cpSync(path.join(REPO_ROOT, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
  const kubeconfig = await writeKubeconfig(server, { token: TOKEN, context: 'honey', dir });
  const env = { KUBECONFIG: kubeconfig, HOME: dir };
  const status = (args: string[] = []) => runCli(['cluster', 'status', 'honey', ...args], { cwd: dir, env });
  const change = (apiVersion: string, kind: string, namespace: string | undefined, name: string, edit: (o: StoredObject) => void) => {
    const copy = structuredClone(server.get(apiVersion, kind, namespace, name)!);
    edit(copy);
    server.put(copy);
  };
  return { server, dir, kubeconfig, env, status, change };
}

const failLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('FAIL'));

describe('cluster status honey: the deployment contract as checks', () => {
  it('every claim holds against a cluster that matches the contract: one ok line each, exit 0', async () => {
    const h = await honey();
    const result = await h.status();
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `honey (rke2, context honey): the cluster contract at ${h.server.url}`,
      'ok    node bumble is Ready with role storage (storage-biased): Ready, roles storage',
      'ok    node sting is Ready with role compute (stateless compute): Ready, roles compute',
      `ok    the distribution is rke2: kubelet ${RKE2_KUBELET} on bumble, honey, sting`,
      'ok    access dashboard-tailnet-only: Ingress runner-dashboard/runner-dashboard is tailnet-only (operator access is tailnet-first and private): class tailscale; addresses runner-dashboard.tail4c2e1.ts.net',
      'ok    namespace arc-systems of stack arc-runners exists: present',
      'ok    namespace arc-runners of stack arc-runners exists: present',
      'ok    namespace nix-cache of stack attic exists: present',
      'ok    namespace cnpg-system of stack attic exists where present (optional): absent, which the contract allows',
      'ok    namespace gitlab-runners of stack gitlab-runners exists: present',
      'ok    namespace runner-dashboard of stack runner-dashboard exists: present',
      '',
      'honey: all 10 claims hold',
      '',
    ]);
    const json = JSON.parse((await h.status(['--json'])).stdout);
    expect(json).toMatchObject({ cluster: 'honey', context: 'honey', distribution: 'rke2', holds: true, kubernetes: { reachable: true, server: h.server.url } });
    expect(json.claims.map((c: { kind: string; ok: boolean }) => [c.kind, c.ok])).toEqual([
      ['node', true], ['node', true], ['distribution', true], ['access', true],
      ['namespace', true], ['namespace', true], ['namespace', true], ['namespace', true], ['namespace', true], ['namespace', true],
    ]);
    // only reads: nodes, namespaces and the dashboard namespace's Ingresses
    expect(h.server.requests.every((r) => r.method === 'GET')).toBe(true);
    // what the stand-in serves is what kubectl shows of an RKE2 cluster
    const nodes = await execa('kubectl', ['--kubeconfig', h.kubeconfig, '--cache-dir', path.join(h.dir, 'kube-cache'), 'get', 'nodes'], { reject: false });
    expect(nodes.stdout).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION\n/);
    expect(nodes.stdout).toMatch(/\nbumble +Ready +storage +\S+ +v1\.31\.4\+rke2r1\n/);
    expect(nodes.stdout).toMatch(/\nhoney +Ready +control-plane,etcd,master +\S+ +v1\.31\.4\+rke2r1\n/);
    // and foundation's pinned kubectl reaches honey through its kubeContext
    const pinned = await runCli(['kubectl', '--cluster', 'honey', '--', '--cache-dir', path.join(h.dir, 'kube-cache'), 'get', 'ingress', '-n', 'runner-dashboard'], { cwd: h.dir, env: h.env });
    expect(pinned.exitCode, pinned.stderr).toBe(0);
    expect(pinned.stdout).toMatch(/^runner-dashboard +tailscale /m);
  });

  it('a missing node, a node without its role label, a kubelet that is not RKE2 and a public dashboard address each fail one named claim, exit 1', async () => {
    const cases: Array<[string, (h: Awaited<ReturnType<typeof honey>>) => void, string]> = [
      ['a missing node', (h) => h.server.remove('v1', 'Node', undefined, 'sting'), 'FAIL  node sting is Ready with role compute (stateless compute): no node sting (nodes: bumble, honey)'],
      [
        'a node without its role label',
        (h) => h.change('v1', 'Node', undefined, 'bumble', (o) => delete o.metadata.labels!['node-role.kubernetes.io/storage']),
        'FAIL  node bumble is Ready with role storage (storage-biased): no label node-role.kubernetes.io/storage (roles: <none>)',
      ],
      [
        'a kubelet that is not RKE2',
        (h) => h.change('v1', 'Node', undefined, 'sting', (o) => ((o.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion = 'v1.31.4+k3s1')),
        'FAIL  the distribution is rke2: kubelet v1.31.4+k3s1 on sting: not rke2',
      ],
      [
        'a public address on the dashboard Ingress',
        (h) => h.change('networking.k8s.io/v1', 'Ingress', 'runner-dashboard', 'runner-dashboard', (o) => (o.status = { loadBalancer: { ingress: [{ hostname: 'runner-dashboard.tail4c2e1.ts.net' }, { ip: '203.0.113.7' }] } })),
        'FAIL  access dashboard-tailnet-only: Ingress runner-dashboard/runner-dashboard is tailnet-only (operator access is tailnet-first and private): public address 203.0.113.7 in its status',
      ],
    ];
    for (const [what, breakIt, line] of cases) {
      const h = await honey();
      breakIt(h);
      const result = await h.status();
      expect(result.exitCode, what).toBe(1);
      expect(failLines(result.stdout), what).toEqual([line]);
      expect(result.stdout.trimEnd().split('\n').pop(), what).toBe('honey: 1 of 10 claims fail');
    }
  });

  it('an Ingress on another class, a Node not Ready, a missing stack namespace; an unreachable API; Talos commands refuse honey', async () => {
    const h = await honey();
    h.change('networking.k8s.io/v1', 'Ingress', 'runner-dashboard', 'runner-dashboard', (o) => ((o.spec as { ingressClassName: string }).ingressClassName = 'nginx'));
    h.change('v1', 'Node', undefined, 'bumble', (o) => ((o.status as { conditions: Array<{ type: string; status: string; reason: string }> }).conditions[1] = { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }));
    h.server.remove('v1', 'Namespace', undefined, 'nix-cache');
    const result = await h.status();
    expect(result.exitCode).toBe(1);
    expect(failLines(result.stdout)).toEqual([
      'FAIL  node bumble is Ready with role storage (storage-biased): not Ready (Ready=Unknown: NodeStatusUnknown)',
      'FAIL  access dashboard-tailnet-only: Ingress runner-dashboard/runner-dashboard is tailnet-only (operator access is tailnet-first and private): class nginx, not class tailscale',
      'FAIL  namespace nix-cache of stack attic exists: absent',
    ]);

    await h.server.stop();
    const down = await h.status();
    expect(down.exitCode).toBe(1);
    expect(down.stdout).toMatch(/^FAIL  the Kubernetes API answers: the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(context honey\) is unreachable \(ECONNREFUSED\)$/m);
    expect(down.stderr).toMatch(/^hint: check that the cluster is up/);

    const health = await runCli(['cluster', 'health', 'honey'], { cwd: h.dir, env: h.env });
    expect(health.exitCode).toBe(1);
    expect(health.stderr).toBe('error: cluster honey is an rke2 cluster foundation does not provision: Talos commands do not apply to it\nhint: "foundation cluster status honey" checks its contract; "foundation kubectl --cluster honey -- <args>" reaches it\n');
  });

  it('a contract cluster with an unknown distribution or a Talos field is refused, naming the field', async () => {
    const h = await honey();
    const file = path.join(h.dir, 'foundation.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('distribution: rke2', 'distribution: rke3'));
    const bad = await h.status();
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^error: foundation\.yaml: field "clusters\.honey\.distribution": expected \("rke2" \| "k3s"\), got "rke3"/);
    writeFileSync(file, original.replace('    kubeContext: honey\n', '    kubeContext: honey\n    talosVersion: v1.11.5\n'));
    const talos = await h.status();
    expect(talos.exitCode).toBe(1);
    expect(talos.stderr).toMatch(/^error: foundation\.yaml: field "clusters\.honey\.talosVersion": unknown field/);
  });
});

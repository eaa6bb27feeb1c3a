// honey as the deployment contract describes it, in the test Kubernetes API: an RKE2
// server node and the agents bumble (storage-biased) and sting (stateless compute), the
// four stacks' namespaces, and the dashboard Ingress on the tailnet (Tailscale operator's
// class, a *.ts.net hostname in its status). Tests then break one claim at a time.
import type { KubeApiServer } from './kube-api-server.js';

export const RKE2_KUBELET = 'v1.31.4+rke2r1';

function node(name: string, roles: string[]) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'rke2',
        ...Object.fromEntries(roles.map((role) => [`node-role.kubernetes.io/${role}`, 'true'])),
      },
      annotations: { 'rke2.io/node-args': '["agent"]' },
    },
    spec: { podCIDR: '10.42.0.0/24', providerID: `rke2://${name}` },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      nodeInfo: { kubeletVersion: RKE2_KUBELET, kubeProxyVersion: RKE2_KUBELET, containerRuntimeVersion: 'containerd://1.7.23-k3s2', osImage: 'Ubuntu 24.04.1 LTS', operatingSystem: 'linux', architecture: 'amd64' },
      addresses: [{ type: 'InternalIP', address: '10.0.0.12' }, { type: 'Hostname', address: name }],
    },
  };
}

/** Everything the repository's clusters.honey claims, holding. */
export function seedHoney(server: KubeApiServer): void {
  server.put(node('honey', ['control-plane', 'etcd', 'master']));
  server.put(node('bumble', ['storage']));
  server.put(node('sting', ['compute']));
  // attic's cnpg-system is absent: the contract has it only "where present"
  for (const name of ['arc-systems', 'arc-runners', 'nix-cache', 'gitlab-runners', 'runner-dashboard']) server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  server.put({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'tailscale' }, spec: { controller: 'tailscale.com/ts-ingress' } });
  server.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'runner-dashboard', namespace: 'runner-dashboard' },
    spec: {
      ingressClassName: 'tailscale',
      defaultBackend: { service: { name: 'runner-dashboard', port: { number: 80 } } },
      tls: [{ hosts: ['runner-dashboard'] }],
    },
    status: { loadBalancer: { ingress: [{ hostname: 'runner-dashboard.tail4c2e1.ts.net' }] } },
  });
}

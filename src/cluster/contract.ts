// The cluster contract as checks: a cluster foundation does not provision (honey, RKE2) is
// described in foundation.yaml by its distribution, its nodes by name and role, and access
// rules; `cluster status` reads the live API once and judges each claim, one line each.
// Read-only: nodes, namespaces and the Ingresses the rules name, with LISTs.
import { BlockList, isIP } from 'node:net';
import type { Project } from '../config/project.js';
import type { ContractClusterConfig } from '../config/schema.js';
import { connectKube } from '../kube/client.js';
import { listAll, type ApiResource, type LiveObject } from '../kube/list.js';
import { FoundationError } from '../ui/errors.js';
import type { ContractCluster } from './clusters.js';

export interface ContractClaim {
  kind: 'node' | 'distribution' | 'access' | 'namespace';
  /** What the contract says, e.g. "node bumble is Ready with role storage". */
  claim: string;
  ok: boolean;
  /** What the cluster showed. */
  seen: string;
}

/** The `cluster status <contract cluster> --json` shape (docs/json.md). */
export interface ContractStatus {
  cluster: string;
  context: string;
  distribution: string;
  holds: boolean;
  kubernetes: { reachable: boolean; server?: string; error?: string; hint?: string };
  claims: ContractClaim[];
}

const NODES: ApiResource = { apiVersion: 'v1', kind: 'Node', resource: 'nodes', namespaced: false };
const NAMESPACES: ApiResource = { apiVersion: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false };
const INGRESSES: ApiResource = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', resource: 'ingresses', namespaced: true };
const ROLE_LABEL = 'node-role.kubernetes.io/';
/** How each distribution marks the kubelet version it ships: v1.31.4+rke2r1, v1.31.4+k3s1. */
const KUBELET_SUFFIX: Record<ContractClusterConfig['distribution'], RegExp> = { rke2: /\+rke2r\d+$/, k3s: /\+k3s\d+$/ };

/** Addresses that do not route on the internet: RFC 1918, CGNAT (the tailnet's 100.64/10), loopback, link-local, IPv6 ULA. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16]] as const) PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['fc00::', 7], ['fe80::', 10], ['::1', 128]] as const) PRIVATE.addSubnet(network, prefix, 'ipv6');

export async function contractStatus(project: Project, cluster: ContractCluster): Promise<ContractStatus> {
  const { spec } = cluster;
  const base = { cluster: cluster.name, context: spec.kubeContext, distribution: spec.distribution };
  let live: { nodes: LiveObject[]; namespaces: Set<string>; ingresses: Map<string, LiveObject[]>; server: string };
  try {
    live = await readCluster(spec);
  } catch (error) {
    if (!(error instanceof FoundationError)) throw error;
    return { ...base, holds: false, kubernetes: { reachable: false, error: error.message, ...(error.hint ? { hint: error.hint } : {}) }, claims: [] };
  }
  const claims = [
    ...spec.nodes.map((node) => nodeClaim(node, live.nodes)),
    distributionClaim(spec.distribution, live.nodes),
    ...spec.access.map((rule) => accessClaim(rule, live.ingresses.get(rule.ingress.namespace) ?? [])),
    ...stackNamespaces(project, cluster).map(({ namespace, stacks }) => namespaceClaim(namespace, stacks, live.namespaces, spec.optionalNamespaces.includes(namespace))),
  ];
  return { ...base, holds: claims.every((c) => c.ok), kubernetes: { reachable: true, server: live.server }, claims };
}

async function readCluster(spec: ContractClusterConfig) {
  const client = await connectKube(spec.kubeContext);
  const namespaces = [...new Set(spec.access.map((rule) => rule.ingress.namespace))];
  const [nodes, allNamespaces, ...ingressLists] = await Promise.all([
    listAll(client, NODES),
    listAll(client, NAMESPACES),
    ...namespaces.map((namespace) => listAll(client, INGRESSES, namespace)),
  ]);
  return {
    server: client.server,
    nodes,
    namespaces: new Set(allNamespaces.map((n) => n.metadata.name)),
    ingresses: new Map(namespaces.map((namespace, i) => [namespace, ingressLists[i]!])),
  };
}

type NodeView = LiveObject & { status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; nodeInfo?: { kubeletVersion?: string } } };

function rolesOf(node: LiveObject): string[] {
  return Object.keys(node.metadata.labels ?? {})
    .filter((key) => key.startsWith(ROLE_LABEL) && key.length > ROLE_LABEL.length)
    .map((key) => key.slice(ROLE_LABEL.length))
    .sort();
}

/** Present, Ready (condition Ready=True, as `kubectl get nodes` shows it) and labelled with its role. */
function nodeClaim(node: ContractClusterConfig['nodes'][number], nodes: LiveObject[]): ContractClaim {
  const claim = `node ${node.name} is Ready with role ${node.role}${node.description ? ` (${node.description})` : ''}`;
  const found = nodes.find((n) => n.metadata.name === node.name) as NodeView | undefined;
  if (!found) return { kind: 'node', claim, ok: false, seen: `no node ${node.name} (nodes: ${nodes.map((n) => n.metadata.name).join(', ') || 'none'})` };
  const problems: string[] = [];
  const ready = found.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') problems.push(ready ? `not Ready (Ready=${ready.status}${ready.reason ? `: ${ready.reason}` : ''})` : 'not Ready (no Ready condition)');
  const roles = rolesOf(found);
  if (!roles.includes(node.role)) problems.push(`no label ${ROLE_LABEL}${node.role} (roles: ${roles.join(', ') || '<none>'})`);
  return problems.length ? { kind: 'node', claim, ok: false, seen: problems.join('; ') } : { kind: 'node', claim, ok: true, seen: `Ready, roles ${roles.join(', ')}` };
}

/** Every node's kubelet carries the distribution's version suffix. */
function distributionClaim(distribution: ContractClusterConfig['distribution'], nodes: LiveObject[]): ContractClaim {
  const claim = `the distribution is ${distribution}`;
  if (nodes.length === 0) return { kind: 'distribution', claim, ok: false, seen: 'no nodes to read a kubelet version from' };
  const versions = new Map<string, string[]>();
  for (const node of nodes as NodeView[]) {
    const version = node.status?.nodeInfo?.kubeletVersion ?? '(no kubelet version)';
    versions.set(version, [...(versions.get(version) ?? []), node.metadata.name]);
  }
  const others = [...versions].filter(([version]) => !KUBELET_SUFFIX[distribution].test(version));
  const show = (list: Array<[string, string[]]>) => list.map(([version, names]) => `${version} on ${names.join(', ')}`).join('; ');
  return others.length ? { kind: 'distribution', claim, ok: false, seen: `kubelet ${show(others)}: not ${distribution}` } : { kind: 'distribution', claim, ok: true, seen: `kubelet ${show([...versions])}` };
}

type IngressView = LiveObject & { spec?: { ingressClassName?: string }; status?: { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> } } };

/** Tailnet-only: kept there by its class or annotations, and no public address in its status. */
function accessClaim(rule: ContractClusterConfig['access'][number], ingresses: LiveObject[]): ContractClaim {
  const where = `${rule.ingress.namespace}/${rule.ingress.name}`;
  const claim = `access ${rule.name}: Ingress ${where} is tailnet-only${rule.description ? ` (${rule.description})` : ''}`;
  const ingress = ingresses.find((i) => i.metadata.name === rule.ingress.name) as IngressView | undefined;
  if (!ingress) return { kind: 'access', claim, ok: false, seen: `no Ingress ${where}` };
  const { ingressClassNames, annotations, privateHostnames } = rule.tailnetOnly;
  const className = ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  const byClass = className !== undefined && ingressClassNames.includes(className);
  const wanted = Object.entries(annotations);
  const byAnnotations = wanted.length > 0 && wanted.every(([key, value]) => ingress.metadata.annotations?.[key] === value);
  const problems: string[] = [];
  if (!byClass && !byAnnotations) {
    const expected = [ingressClassNames.length ? `class ${ingressClassNames.join(' or ')}` : '', wanted.length ? `annotations ${wanted.map(([k, v]) => `${k}=${v}`).join(', ')}` : ''].filter(Boolean).join(' or ');
    problems.push(`class ${className ?? '(none)'}, not ${expected}`);
  }
  const addresses = (ingress.status?.loadBalancer?.ingress ?? []).flatMap((a) => [a.ip, a.hostname].filter((x): x is string => Boolean(x)));
  const exposed = addresses.filter((address) => !isPrivate(address, privateHostnames));
  if (exposed.length) problems.push(`public address ${exposed.join(', ')} in its status`);
  if (problems.length) return { kind: 'access', claim, ok: false, seen: problems.join('; ') };
  const how = byClass ? `class ${className}` : `annotations ${wanted.map(([k]) => k).join(', ')}`;
  return { kind: 'access', claim, ok: true, seen: `${how}; ${addresses.length ? `addresses ${addresses.join(', ')}` : 'no address in its status'}` };
}

function isPrivate(address: string, privateHostnames: string[]): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, 'ipv4');
  if (family === 6) return PRIVATE.check(address, 'ipv6');
  const host = address.toLowerCase().replace(/\.$/, '');
  return host === 'localhost' || privateHostnames.some((suffix) => host.endsWith(suffix.toLowerCase()));
}

/** The namespaces of the stacks deployed on this cluster: in an ENV that names it (or its context), not sent elsewhere per stack. */
export function stackNamespaces(project: Project, cluster: ContractCluster): Array<{ namespace: string; stacks: string[] }> {
  const context = cluster.spec.kubeContext;
  const envs = Object.entries(project.config.environments)
    .filter(([, e]) => e.cluster === cluster.name || (!e.cluster && e.kubeContext === context))
    .map(([name]) => name);
  const owners = new Map<string, string[]>();
  for (const stack of project.stacks.values()) {
    const here = envs.some((env) => (!stack.spec.environments || stack.spec.environments.includes(env)) && (stack.spec.kubeContext[env] ?? context) === context);
    if (!here) continue;
    for (const namespace of stack.spec.namespaces) owners.set(namespace, [...(owners.get(namespace) ?? []), stack.name]);
  }
  return [...owners].map(([namespace, stacks]) => ({ namespace, stacks }));
}

function namespaceClaim(namespace: string, stacks: string[], present: Set<string>, optional: boolean): ContractClaim {
  const claim = `namespace ${namespace} of stack ${stacks.join(', ')} exists${optional ? ' where present (optional)' : ''}`;
  if (present.has(namespace)) return { kind: 'namespace', claim, ok: true, seen: 'present' };
  return optional ? { kind: 'namespace', claim, ok: true, seen: 'absent, which the contract allows' } : { kind: 'namespace', claim, ok: false, seen: 'absent' };
}

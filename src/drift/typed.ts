// The kubernetes provider's typed resources (kubernetes_deployment_v1, kubernetes_service, ...)
// turned back into the Kubernetes objects they manage. In state, a nested block is a list
// (of one, for a block with max_items 1), attribute names are snake_case, maps keep
// their keys, and every schema attribute is present, unset ones as "", 0, false or [].
// Those zero values are dropped: Kubernetes omits zero values too (omitempty), so an
// unset attribute declares nothing.
import { isZeroValue } from './normalise.js';

export interface TypedKind {
  apiVersion: string;
  kind: string;
}

/** Resource type (without a trailing _v1 / _v2) to the kind it manages. */
const KINDS: Record<string, TypedKind> = {
  kubernetes_namespace: { apiVersion: 'v1', kind: 'Namespace' },
  kubernetes_config_map: { apiVersion: 'v1', kind: 'ConfigMap' },
  kubernetes_secret: { apiVersion: 'v1', kind: 'Secret' },
  kubernetes_service: { apiVersion: 'v1', kind: 'Service' },
  kubernetes_service_account: { apiVersion: 'v1', kind: 'ServiceAccount' },
  kubernetes_persistent_volume_claim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  kubernetes_limit_range: { apiVersion: 'v1', kind: 'LimitRange' },
  kubernetes_resource_quota: { apiVersion: 'v1', kind: 'ResourceQuota' },
  kubernetes_pod: { apiVersion: 'v1', kind: 'Pod' },
  kubernetes_deployment: { apiVersion: 'apps/v1', kind: 'Deployment' },
  kubernetes_stateful_set: { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  kubernetes_daemon_set: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  kubernetes_daemonset: { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  kubernetes_job: { apiVersion: 'batch/v1', kind: 'Job' },
  kubernetes_cron_job: { apiVersion: 'batch/v1', kind: 'CronJob' },
  kubernetes_role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  kubernetes_role_binding: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
  kubernetes_cluster_role: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  kubernetes_cluster_role_binding: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  kubernetes_horizontal_pod_autoscaler: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  kubernetes_ingress: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  kubernetes_network_policy: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  kubernetes_pod_disruption_budget: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  kubernetes_priority_class: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass' },
  kubernetes_storage_class: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' },
};

/** The kind a typed resource type manages; undefined for types that patch objects they do not own (kubernetes_labels, ..._data). */
export function typedKind(type: string): TypedKind | undefined {
  return KINDS[type.replace(/_v[12]$/, '')];
}

/** Blocks that are lists in Kubernetes even with one element, and their field names there. */
const LIST_BLOCKS: Record<string, string> = {
  container: 'containers',
  init_container: 'initContainers',
  ephemeral_container: 'ephemeralContainers',
  port: 'ports',
  env: 'env',
  env_from: 'envFrom',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  volume_device: 'volumeDevices',
  volume_claim_template: 'volumeClaimTemplates',
  toleration: 'tolerations',
  topology_spread_constraint: 'topologySpreadConstraints',
  image_pull_secrets: 'imagePullSecrets',
  image_pull_secret: 'imagePullSecrets',
  host_aliases: 'hostAliases',
  readiness_gate: 'readinessGates',
  subject: 'subjects',
  rule: 'rules',
  match_expressions: 'matchExpressions',
  items: 'items',
  metric: 'metrics',
  policy: 'policies',
  path: 'paths',
  tls: 'tls',
  ingress: 'ingress',
  egress: 'egress',
  from: 'from',
  to: 'to',
  http_header: 'httpHeaders',
  limit: 'limits',
  key_to_path: 'items',
};

/** Provider attributes with no counterpart in the object. */
const PROVIDER_ONLY = /^(id|timeouts|status|wait_for.*|wait_until_bound|delete_persistent_volumes)$/;
/** ObjectMeta fields the server sets: the provider reads them back into state, they declare nothing. */
const SERVER_METADATA = new Set(['generation', 'resource_version', 'uid', 'generate_name']);

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Field-name exceptions where Kubernetes does not simply camel-case. */
const RENAMES: Record<string, string> = {
  cluster_ip: 'clusterIP',
  cluster_ips: 'clusterIPs',
  external_ips: 'externalIPs',
  load_balancer_ip: 'loadBalancerIP',
  host_ip: 'hostIP',
  pod_ip: 'podIP',
  host_ipc: 'hostIPC',
  host_pid: 'hostPID',
  fs_group: 'fsGroup',
  api_groups: 'apiGroups',
  non_resource_urls: 'nonResourceURLs',
  ip_families: 'ipFamilies',
};

function fieldName(name: string, value: unknown): string {
  if (isBlockList(value) && LIST_BLOCKS[name]) return LIST_BLOCKS[name];
  return RENAMES[name] ?? camel(name);
}

function isBlockList(value: unknown): value is Array<Record<string, unknown>> {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** A block's attributes (an object whose keys are schema names) to an object with Kubernetes field names. */
function convertBlock(block: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(block)) {
    const converted = convertValue(name, value);
    if (!isZeroValue(converted)) out[fieldName(name, value)] = converted;
  }
  return out;
}

function convertValue(name: string, value: unknown): unknown {
  // scalars, maps (labels, data, limits...) with their keys as they are, and lists of strings
  if (!isBlockList(value)) return value;
  const blocks = value.map(convertBlock);
  if (name in LIST_BLOCKS) return blocks.filter((b) => !isZeroValue(b));
  return blocks[0];
}

/**
 * The object a typed resource declares: apiVersion, kind, metadata (name, namespace,
 * labels, annotations) and its other attributes. Secret `data` is stored in state as
 * plain text (the provider encodes it on the way to the API), so it is base64-encoded here.
 */
export function typedObject(kind: TypedKind, attributes: Record<string, unknown>): Record<string, unknown> {
  const object: Record<string, unknown> = { apiVersion: kind.apiVersion, kind: kind.kind };
  for (const [name, value] of Object.entries(attributes)) {
    if (PROVIDER_ONLY.test(name)) continue;
    if (name === 'metadata') {
      const meta = (Array.isArray(value) ? value[0] : value) as Record<string, unknown> | undefined;
      const kept = Object.fromEntries(Object.entries(meta ?? {}).filter(([key]) => !SERVER_METADATA.has(key)));
      object.metadata = convertBlock(kept);
      continue;
    }
    const converted = convertValue(name, value);
    if (!isZeroValue(converted)) object[fieldName(name, value)] = converted;
  }
  // The provider sends allocateLoadBalancerNodePorts only for a LoadBalancer Service, though state always holds it.
  const spec = object.spec as Record<string, unknown> | undefined;
  if (kind.kind === 'Service' && spec && spec.type !== 'LoadBalancer') delete spec.allocateLoadBalancerNodePorts;
  if (kind.kind === 'Secret') {
    // binary_data is base64 already; the provider sends both as the Secret's data.
    const plain = Object.entries((object.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]);
    const data = { ...Object.fromEntries(plain), ...((object.binaryData ?? {}) as Record<string, string>) };
    delete object.binaryData;
    if (Object.keys(data).length > 0) object.data = data;
    else delete object.data;
  }
  return object;
}

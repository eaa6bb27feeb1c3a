// The kinds the stand-in serves, described the way discovery, printing and
// validation need them. The ARC kinds mirror the actions-runner-controller CRDs in
// charts/gha-runner-scale-set-controller/crds (names, no short names, printer columns,
// status subresource).
import { defaultDeployment, defaultReplicaSet, defaultService } from './defaults.js';
import type { Column } from './table.js';
import { ageColumn, printerColumn } from './table.js';
import type { KubeObject } from './objects.js';
import { isObject, valueAt } from './objects.js';
import { qualifiedNameErrors } from './metadata.js';
import { objectMetaFields, typedFields, type TypedFields } from './typed.js';

export interface FieldError {
  field: string;
  message: string;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural, as in the URL. */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Has a `status` subresource: main-resource writes keep the stored status. */
  status: boolean;
  /** Served from a CustomResourceDefinition: stricter PUT and PATCH rules. */
  custom: boolean;
  /** metadata.generation is tracked (bumped when anything but metadata/status changes). */
  generation: boolean;
  /** Field selector labels beyond metadata.name / metadata.namespace. */
  fieldLabels?: string[];
  columns: Column[];
  validate?(obj: KubeObject): FieldError[];
  /** Fields decoded into typed Go structs (built-in kinds): wrong types and bad timestamps fail before validation. */
  typed?: TypedFields;
  /** Defaulting the real registry applies on every write. */
  prepare?(obj: KubeObject): void;
}

export const ARC_GROUP = 'actions.github.com';

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `configmaps` or `autoscalingrunnersets.actions.github.com`, as Status messages name resources. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

type TypeSpec = Omit<ResourceType, 'status' | 'custom' | 'generation' | 'columns'> &
  Partial<Pick<ResourceType, 'status' | 'custom' | 'generation' | 'columns'>>;

function define(spec: TypeSpec): ResourceType {
  const typed = spec.custom ? spec.typed : { ...objectMetaFields, ...spec.typed };
  return { status: false, custom: false, generation: false, columns: [ageColumn], ...spec, typed };
}

function count(value: unknown): number {
  return isObject(value) ? Object.keys(value).length : Array.isArray(value) ? value.length : 0;
}

function ratio(obj: KubeObject, ready: string, desired: string): string {
  return `${Number(valueAt(obj, ready) ?? 0)}/${Number(valueAt(obj, desired) ?? 0)}`;
}

function column(name: string, type: Column['type'], value: Column['value']): Column {
  return { name, type, value };
}

const core = { group: '', version: 'v1' };

/** Roles from node-role.kubernetes.io/<role> labels and the older kubernetes.io/role, sorted. */
function nodeRoles(obj: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length) roles.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return [...roles].sort();
}

/** Ready / NotReady / Unknown from the Ready condition, then SchedulingDisabled when cordoned. */
function nodeStatus(obj: KubeObject): string {
  const conditions = valueAt(obj, '.status.conditions');
  const ready = Array.isArray(conditions) ? conditions.find((c) => isObject(c) && c.type === 'Ready') : undefined;
  const status = !isObject(ready) ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return valueAt(obj, '.spec.unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** pkg/apis/core/validation validateNodeTaints: the key a qualified name, the effect one of three (uniqueness is not checked here). */
function validateNodeTaints(obj: KubeObject): FieldError[] {
  const taints = valueAt(obj, '.spec.taints');
  if (!Array.isArray(taints)) return [];
  const errors: FieldError[] = [];
  taints.forEach((taint, i) => {
    const at = `spec.taints[${i}]`;
    const key = String(valueAt(taint, '.key') ?? '');
    for (const message of qualifiedNameErrors(key)) errors.push({ field: `${at}.key`, message: `Invalid value: ${JSON.stringify(key)}: ${message}` });
    const effect = valueAt(taint, '.effect');
    if (effect === undefined || effect === '') errors.push({ field: `${at}.effect`, message: 'Required value' });
    else if (!TAINT_EFFECTS.includes(String(effect))) errors.push(unsupported(`${at}.effect`, effect, TAINT_EFFECTS));
  });
  return errors;
}
const apps = { group: 'apps', version: 'v1', categories: ['all'], status: true, generation: true };

/** field.Invalid(path, *int32, message) of a Go validation function. */
function minimum(obj: KubeObject, field: string, min: number, message: string): FieldError[] {
  const value = valueAt(obj, field);
  return typeof value === 'number' && value < min ? [{ field, message: `Invalid value: ${value}: ${message}` }] : [];
}

const builtIns: ResourceType[] = [
  define({
    ...core,
    resource: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    status: true,
    columns: [column('Status', 'string', (o) => valueAt(o, '.status.phase')), ageColumn],
    prepare: (obj) => {
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name! };
      obj.spec = { finalizers: ['kubernetes'], ...(isObject(obj.spec) ? obj.spec : {}) };
      obj.status = { phase: 'Active', ...(isObject(obj.status) ? obj.status : {}) };
    },
  }),
  define({
    ...core,
    resource: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    status: true,
    // `kubectl get nodes`: the apiserver's node printer (pkg/printers/internalversion printNode).
    columns: [
      column('Status', 'string', nodeStatus),
      column('Roles', 'string', (o) => nodeRoles(o).join(',') || '<none>'),
      ageColumn,
      column('Version', 'string', (o) => valueAt(o, '.status.nodeInfo.kubeletVersion') ?? ''),
    ],
    typed: typedFields('NodeSpec', 'spec', { podCIDR: 'string', providerID: 'string', unschedulable: 'bool' }),
    validate: validateNodeTaints,
  }),
  define({
    ...core,
    resource: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    columns: [column('Data', 'integer', (o) => count(o.data) + count(o.binaryData)), ageColumn],
  }),
  define({
    ...core,
    resource: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    fieldLabels: ['type'],
    columns: [
      column('Type', 'string', (o) => o.type),
      column('Data', 'integer', (o) => count(o.data)),
      ageColumn,
    ],
    prepare: (obj) => {
      obj.type ??= 'Opaque';
      if (!isObject(obj.stringData)) return;
      const encoded = Object.entries(obj.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]);
      obj.data = { ...(isObject(obj.data) ? obj.data : {}), ...Object.fromEntries(encoded) };
      delete obj.stringData;
    },
  }),
  define({
    ...core,
    resource: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    status: true,
    fieldLabels: ['status.phase', 'spec.nodeName'],
    columns: [
      column('Ready', 'string', (o) => {
        const statuses = valueAt(o, '.status.containerStatuses');
        const ready = Array.isArray(statuses) ? statuses.filter((s) => isObject(s) && s.ready === true).length : 0;
        return `${ready}/${count(valueAt(o, '.spec.containers'))}`;
      }),
      column('Status', 'string', (o) => valueAt(o, '.status.phase')),
      column('Restarts', 'integer', (o) => {
        const statuses = valueAt(o, '.status.containerStatuses');
        return Array.isArray(statuses) ? statuses.reduce((n, s) => n + Number(valueAt(s, '.restartCount') ?? 0), 0) : 0;
      }),
      ageColumn,
    ],
  }),
  define({
    ...core,
    resource: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    status: true,
    columns: [
      column('Type', 'string', (o) => valueAt(o, '.spec.type') ?? 'ClusterIP'),
      column('Cluster-IP', 'string', (o) => valueAt(o, '.spec.clusterIP') ?? '<none>'),
      column('External-IP', 'string', () => '<none>'),
      column('Port(s)', 'string', (o) => {
        const ports = valueAt(o, '.spec.ports');
        if (!Array.isArray(ports) || ports.length === 0) return '<none>';
        return ports.map((p) => `${String(valueAt(p, '.port'))}/${String(valueAt(p, '.protocol') ?? 'TCP')}`).join(',');
      }),
      ageColumn,
    ],
    prepare: defaultService,
  }),
  define({
    ...core,
    resource: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    columns: [column('Secrets', 'integer', (o) => count(o.secrets)), ageColumn],
  }),
  define({
    ...apps,
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    columns: [
      column('Ready', 'string', (o) => ratio(o, '.status.readyReplicas', '.spec.replicas')),
      column('Up-to-date', 'integer', (o) => valueAt(o, '.status.updatedReplicas') ?? 0),
      column('Available', 'integer', (o) => valueAt(o, '.status.availableReplicas') ?? 0),
      ageColumn,
    ],
    prepare: defaultDeployment,
  }),
  define({
    ...apps,
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    columns: [column('Ready', 'string', (o) => ratio(o, '.status.readyReplicas', '.spec.replicas')), ageColumn],
  }),
  define({
    ...apps,
    resource: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    columns: [
      column('Desired', 'integer', (o) => valueAt(o, '.status.desiredNumberScheduled') ?? 0),
      column('Current', 'integer', (o) => valueAt(o, '.status.currentNumberScheduled') ?? 0),
      column('Ready', 'integer', (o) => valueAt(o, '.status.numberReady') ?? 0),
      column('Up-to-date', 'integer', (o) => valueAt(o, '.status.updatedNumberScheduled') ?? 0),
      column('Available', 'integer', (o) => valueAt(o, '.status.numberAvailable') ?? 0),
      ageColumn,
    ],
  }),
  define({
    group: 'coordination.k8s.io',
    version: 'v1',
    resource: 'leases',
    singular: 'lease',
    kind: 'Lease',
    namespaced: true,
    columns: [column('Holder', 'string', (o) => valueAt(o, '.spec.holderIdentity') ?? ''), ageColumn],
    // k8s.io/api/coordination/v1 LeaseSpec; validation: pkg/apis/coordination/validation ValidateLeaseSpec.
    typed: typedFields('LeaseSpec', 'spec', {
      holderIdentity: 'string',
      leaseDurationSeconds: 'int32',
      acquireTime: 'microtime',
      renewTime: 'microtime',
      leaseTransitions: 'int32',
      strategy: 'string',
      preferredHolder: 'string',
    }),
    validate: (obj) => [
      ...minimum(obj, 'spec.leaseDurationSeconds', 1, 'must be greater than 0'),
      ...minimum(obj, 'spec.leaseTransitions', 0, 'must be greater than or equal to 0'),
    ],
  }),
  // Kinds drift compares and reads (HPAs for the replicas they own, ReplicaSets as owned
  // children), with the apiserver's printer columns.
  define({
    ...apps,
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    prepare: defaultReplicaSet,
    columns: [
      column('Desired', 'integer', (o) => valueAt(o, '.spec.replicas') ?? 0),
      column('Current', 'integer', (o) => valueAt(o, '.status.replicas') ?? 0),
      column('Ready', 'integer', (o) => valueAt(o, '.status.readyReplicas') ?? 0),
      ageColumn,
    ],
  }),
  define({
    group: 'autoscaling',
    version: 'v2',
    resource: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    kind: 'HorizontalPodAutoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    categories: ['all'],
    status: true,
    columns: [
      column('Reference', 'string', (o) => `${String(valueAt(o, '.spec.scaleTargetRef.kind'))}/${String(valueAt(o, '.spec.scaleTargetRef.name'))}`),
      column('MinPods', 'integer', (o) => valueAt(o, '.spec.minReplicas') ?? 1),
      column('MaxPods', 'integer', (o) => valueAt(o, '.spec.maxReplicas') ?? 0),
      column('Replicas', 'integer', (o) => valueAt(o, '.status.currentReplicas') ?? 0),
      ageColumn,
    ],
    prepare: (obj) => {
      if (isObject(obj.spec)) obj.spec.minReplicas ??= 1;
    },
  }),
  define({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', singular: 'role', kind: 'Role', namespaced: true }),
  define({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', namespaced: true,
    columns: [column('Role', 'string', (o) => `${String(valueAt(o, '.roleRef.kind'))}/${String(valueAt(o, '.roleRef.name'))}`), ageColumn],
  }),
  define({
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
    generation: true,
    columns: [column('Class', 'string', (o) => valueAt(o, '.spec.ingressClassName') ?? '<none>'), ageColumn],
  }),
];

// ---- Platform kinds a workload-ready cluster has (storage, ingress, CRDs) ----
// Validation as in kubernetes/kubernetes pkg/apis/storage/validation (ValidateStorageClass),
// pkg/apis/networking/validation (ValidateIngressClass) and apiextensions-apiserver's
// ValidateCustomResourceDefinition, with the registries' defaulting. Update-only rules
// (immutable provisioner, parameters, controller, names) are not enforced.

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function unsupported(field: string, value: unknown, supported: string[]): FieldError {
  return { field, message: `Unsupported value: "${String(value)}": supported values: ${supported.map((v) => `"${v}"`).join(', ')}` };
}

function validateStorageClass(obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const provisioner = obj.provisioner;
  if (typeof provisioner !== 'string' || provisioner === '') errors.push({ field: 'provisioner', message: 'Required value' });
  else if (!QUALIFIED_NAME.test(provisioner.toLowerCase())) {
    errors.push({ field: 'provisioner', message: `Invalid value: "${provisioner}": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
  }
  if (!RECLAIM_POLICIES.includes(String(obj.reclaimPolicy))) errors.push(unsupported('reclaimPolicy', obj.reclaimPolicy, RECLAIM_POLICIES));
  if (!BINDING_MODES.includes(String(obj.volumeBindingMode))) errors.push(unsupported('volumeBindingMode', obj.volumeBindingMode, BINDING_MODES));
  return errors;
}

function validateIngressClass(obj: KubeObject): FieldError[] {
  const controller = valueAt(obj, '.spec.controller');
  if (typeof controller !== 'string' || controller === '') return [{ field: 'spec.controller', message: 'Required value' }];
  if (controller.length > 250) return [{ field: 'spec.controller', message: 'Too long: may not be more than 250 bytes' }];
  const [domain, ...rest] = controller.split('/');
  if (rest.length === 0 || !DNS_SUBDOMAIN.test(domain!) || rest.join('/') === '') {
    return [{ field: 'spec.controller', message: `Invalid value: "${controller}": must be a domain-prefixed path (such as "acme.io/foo")` }];
  }
  return [];
}

function validateCustomResourceDefinition(obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const group = valueAt(obj, '.spec.group');
  const plural = valueAt(obj, '.spec.names.plural');
  if (typeof group !== 'string' || group === '') errors.push({ field: 'spec.group', message: 'Required value' });
  else if (!group.includes('.')) errors.push({ field: 'spec.group', message: `Invalid value: "${group}": should be a domain with at least one dot` });
  if (typeof plural !== 'string' || plural === '') errors.push({ field: 'spec.names.plural', message: 'Required value' });
  if (typeof valueAt(obj, '.spec.names.kind') !== 'string') errors.push({ field: 'spec.names.kind', message: 'Required value' });
  if (typeof group === 'string' && typeof plural === 'string' && obj.metadata.name !== `${plural}.${group}`) {
    errors.push({ field: 'metadata.name', message: `Invalid value: "${obj.metadata.name}": must be spec.names.plural+"."+spec.group` });
  }
  const scope = valueAt(obj, '.spec.scope');
  if (scope !== 'Namespaced' && scope !== 'Cluster') errors.push(unsupported('spec.scope', scope, ['Cluster', 'Namespaced']));
  const versions = valueAt(obj, '.spec.versions');
  if (!Array.isArray(versions) || versions.length === 0) {
    errors.push({ field: 'spec.versions', message: 'Invalid value: null: must have exactly one version marked as storage version' });
  } else if (versions.filter((v) => isObject(v) && v.storage === true).length !== 1) {
    errors.push({ field: 'spec.versions', message: `Invalid value: ${JSON.stringify(versions.map((v) => valueAt(v, '.name')))}: must have exactly one version marked as storage version` });
  }
  return errors;
}

const platformTypes: ResourceType[] = [
  define({
    group: 'storage.k8s.io',
    version: 'v1',
    resource: 'storageclasses',
    singular: 'storageclass',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
    validate: validateStorageClass,
    prepare: (obj) => {
      obj.reclaimPolicy ??= 'Delete';
      obj.volumeBindingMode ??= 'Immediate';
    },
    columns: [
      column('Provisioner', 'string', (o) => o.provisioner),
      column('ReclaimPolicy', 'string', (o) => o.reclaimPolicy),
      column('VolumeBindingMode', 'string', (o) => o.volumeBindingMode),
      column('AllowVolumeExpansion', 'boolean', (o) => o.allowVolumeExpansion ?? false),
      ageColumn,
    ],
  }),
  define({
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'ingressclasses',
    singular: 'ingressclass',
    kind: 'IngressClass',
    namespaced: false,
    validate: validateIngressClass,
    columns: [
      column('Controller', 'string', (o) => valueAt(o, '.spec.controller')),
      column('Parameters', 'string', (o) => (valueAt(o, '.spec.parameters') === undefined ? '<none>' : String(valueAt(o, '.spec.parameters.name')))),
      ageColumn,
    ],
  }),
  define({
    group: 'apiextensions.k8s.io',
    version: 'v1',
    resource: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    status: true,
    generation: true,
    validate: validateCustomResourceDefinition,
    columns: [column('Created At', 'date', (o) => o.metadata.creationTimestamp)],
  }),
];
builtIns.push(...platformTypes);

/** The CRD schema's `minimum: 0, type: integer` on minRunners and maxRunners. */
function validateRunnerBounds(obj: KubeObject): FieldError[] {
  return ['minRunners', 'maxRunners'].flatMap((name) => {
    const field = `spec.${name}`;
    const value = valueAt(obj, field);
    if (value === undefined || value === null) return [];
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      const actual = typeof value === 'number' ? 'number' : Array.isArray(value) ? 'array' : typeof value;
      return [{ field, message: `Invalid value: "${actual}": ${field} in body must be of type integer: "${actual}"` }];
    }
    if (value < 0) return [{ field, message: `Invalid value: ${value}: ${field} in body should be greater than or equal to 0` }];
    return [];
  });
}

const arc = { group: ARC_GROUP, version: 'v1alpha1', namespaced: true, status: true, custom: true, generation: true };

const arcTypes: ResourceType[] = [
  define({
    ...arc,
    resource: 'autoscalingrunnersets',
    singular: 'autoscalingrunnerset',
    kind: 'AutoscalingRunnerSet',
    validate: validateRunnerBounds,
    columns: [
      printerColumn('Minimum Runners', 'integer', '.spec.minRunners'),
      printerColumn('Maximum Runners', 'integer', '.spec.maxRunners'),
      printerColumn('Current Runners', 'integer', '.status.currentRunners'),
      printerColumn('State', 'string', '.status.state'),
      printerColumn('Pending Runners', 'integer', '.status.pendingEphemeralRunners'),
      printerColumn('Running Runners', 'integer', '.status.runningEphemeralRunners'),
      printerColumn('Finished Runners', 'integer', '.status.finishedEphemeralRunners'),
      printerColumn('Deleting Runners', 'integer', '.status.deletingEphemeralRunners'),
    ],
  }),
  define({
    ...arc,
    resource: 'ephemeralrunnersets',
    singular: 'ephemeralrunnerset',
    kind: 'EphemeralRunnerSet',
    columns: [
      printerColumn('DesiredReplicas', 'integer', '.spec.replicas'),
      printerColumn('CurrentReplicas', 'integer', '.status.currentReplicas'),
      printerColumn('Pending Runners', 'integer', '.status.pendingEphemeralRunners'),
      printerColumn('Running Runners', 'integer', '.status.runningEphemeralRunners'),
      printerColumn('Finished Runners', 'integer', '.status.finishedEphemeralRunners'),
      printerColumn('Deleting Runners', 'integer', '.status.deletingEphemeralRunners'),
    ],
  }),
  define({
    ...arc,
    resource: 'ephemeralrunners',
    singular: 'ephemeralrunner',
    kind: 'EphemeralRunner',
    columns: [
      printerColumn('GitHub Config URL', 'string', '.spec.githubConfigUrl'),
      printerColumn('RunnerId', 'number', '.status.runnerId'),
      printerColumn('Phase', 'string', '.status.phase'),
      printerColumn('JobRepository', 'string', '.status.jobRepositoryName'),
      printerColumn('JobWorkflowRef', 'string', '.status.jobWorkflowRef'),
      printerColumn('WorkflowRunId', 'number', '.status.workflowRunId'),
      printerColumn('JobDisplayName', 'string', '.status.jobDisplayName'),
      printerColumn('JobId', 'string', '.status.jobId'),
      printerColumn('Message', 'string', '.status.message'),
      printerColumn('Age', 'date', '.metadata.creationTimestamp'),
    ],
  }),
  define({
    ...arc,
    resource: 'autoscalinglisteners',
    singular: 'autoscalinglistener',
    kind: 'AutoscalingListener',
    columns: [
      printerColumn('GitHub Configure URL', 'string', '.spec.githubConfigUrl'),
      printerColumn('AutoscalingRunnerSet Namespace', 'string', '.spec.autoscalingRunnerSetNamespace'),
      printerColumn('AutoscalingRunnerSet Name', 'string', '.spec.autoscalingRunnerSetName'),
    ],
  }),
];

/** The resource types one server instance serves. */
export class Registry {
  readonly types: ResourceType[];

  constructor(arcCrds: boolean) {
    this.types = arcCrds ? [...builtIns, ...arcTypes] : [...builtIns];
  }

  /** Groups in discovery order; the core group ('') is served under /api instead. */
  groups(): { name: string; version: string }[] {
    const seen = new Map<string, string>();
    for (const type of this.types) if (type.group) seen.set(type.group, type.version);
    return [...seen].map(([name, version]) => ({ name, version }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.version === version);
  }

  find(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.resource === resource);
  }

  /** For test controls: `('v1', 'ConfigMap')` or `('v1', 'configmaps')`. */
  lookup(apiVersion: string, kindOrResource: string): ResourceType {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const type = this.types.find(
      (t) =>
        t.group === group &&
        t.version === version &&
        (t.kind === kindOrResource || t.resource === kindOrResource.toLowerCase()),
    );
    if (!type) throw new Error(`kube-api stand-in: ${apiVersion} ${kindOrResource} is not served`);
    return type;
  }
}

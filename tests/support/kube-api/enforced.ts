// What the test Kubernetes API refuses, rule by rule, with the real API server's answer.
// tests/integration/kube-api-kubectl.test.ts sends each bad value through the real kubectl
// (where kubectl can send it) and checks the Status the stand-in answers over plain HTTP.
// Sources (kubernetes v1.32): apiserver/pkg/endpoints/handlers/{create,update,patch,rest}.go
// (transformDecodeError: 400 on create/update; jsonPatcher: 422 "patch" on patch),
// apimachinery/pkg/apis/meta/v1/{micro_time,time}.go, pkg/apis/coordination/validation,
// apimachinery/pkg/api/validation/objectmeta.go + util/validation (DNS-1123),
// apiserver storage (409 Conflict), apiextensions-apiserver (CRD schema, PUT without resourceVersion).
// Adding a kind: declare its typed fields (`typed`) and `validate` in resources.ts, and add its rules here.
import type { KubeObject } from './objects.js';

export const RULE_NS = 'enforced';
const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${RULE_NS}/leases`;
const SCALE_SETS = `/apis/actions.github.com/v1alpha1/namespaces/${RULE_NS}/autoscalingrunnersets`;
const MICRO_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';
const MS_TIME = '2026-11-23T14:06:29.233Z';
const MICRO_ERROR = `parsing time "${MS_TIME}" as "${MICRO_LAYOUT}": cannot parse ".233Z" as ".000000"`;
const DNS1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** What each rule's test has at hand: the stand-in's current objects, and a file writer for kubectl -f. */
export interface RuleContext {
  get(path: 'lease' | 'scaleSet'): KubeObject;
  file(object: unknown): string;
}

export interface EnforcedRule {
  rule: string;
  /** The real server's status code and Status.message (a RegExp where it embeds the object). */
  code: number;
  message: string | RegExp;
  /** kubectl arguments sending the bad value, and what kubectl prints of the answer; absent where kubectl cannot send it. */
  kubectl?: { args(ctx: RuleContext): string[]; prints: string };
  /** The same bad value over plain HTTP. */
  http(ctx: RuleContext): { method: string; path: string; body: unknown; contentType?: string };
}

const lease = (spec: Record<string, unknown>, name = 'bad-lease', metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name, namespace: RULE_NS, ...metadata },
  spec,
});
const merge = 'application/merge-patch+json';
const badNode = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bad-node', labels: { 'node-role.kubernetes.io/storage': 'true' } }, spec: { taints: [{ key: 'storage', effect: 'Bogus' }] } };
const QUALIFIED_NAME_PART =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const annotate = (annotations: Record<string, unknown>) => ({ metadata: { annotations } });
/** Just over TotalAnnotationSizeLimitB (256 KiB of keys and values together). */
const OVERSIZED = annotate({ 'example.com/blob': 'x'.repeat(256 * 1024) });

/** Rules on objects the test seeds: Lease `held` and AutoscalingRunnerSet `linux` in namespace `enforced`. */
export const ENFORCED_RULES: EnforcedRule[] = [
  {
    rule: 'MicroTime (Lease acquireTime/renewTime) needs exactly six fractional digits: create',
    code: 400,
    message: `Lease in version "v1" cannot be handled as a Lease: ${MICRO_ERROR}`,
    kubectl: { args: (c) => ['create', '-f', c.file(lease({ renewTime: MS_TIME }))], prints: `Lease in version "v1" cannot be handled as a Lease: ${MICRO_ERROR}` },
    http: () => ({ method: 'POST', path: LEASES, body: lease({ renewTime: MS_TIME }) }),
  },
  {
    rule: 'MicroTime: update (PUT)',
    code: 400,
    message: `Lease in version "v1" cannot be handled as a Lease: ${MICRO_ERROR}`,
    kubectl: { args: (c) => ['replace', '-f', c.file({ ...c.get('lease'), spec: { ...(c.get('lease').spec as object), acquireTime: MS_TIME } })], prints: MICRO_ERROR },
    http: (c) => ({ method: 'PUT', path: `${LEASES}/held`, body: { ...c.get('lease'), spec: { acquireTime: MS_TIME } } }),
  },
  {
    rule: 'MicroTime: merge patch (the patched object does not decode: 422 on field "patch")',
    code: 422,
    message: new RegExp(`^ "" is invalid: patch: Invalid value: ".+": ${escape(MICRO_ERROR)}$`),
    kubectl: { args: () => ['patch', 'lease', 'held', '-n', RULE_NS, '--type', 'merge', '-p', JSON.stringify({ spec: { renewTime: MS_TIME } })], prints: `The request is invalid: patch: Invalid value: ` },
    http: () => ({ method: 'PATCH', path: `${LEASES}/held`, body: { spec: { renewTime: MS_TIME } }, contentType: merge }),
  },
  {
    rule: 'Time (metadata.creationTimestamp) is RFC 3339',
    code: 400,
    message: 'Lease in version "v1" cannot be handled as a Lease: parsing time "2026-11-23 14:06:29" as "2006-01-02T15:04:05Z07:00": cannot parse " 14:06:29" as "T"',
    kubectl: { args: (c) => ['create', '-f', c.file(lease({}, 'bad-lease', { creationTimestamp: '2026-11-23 14:06:29' }))], prints: 'cannot parse " 14:06:29" as "T"' },
    http: () => ({ method: 'POST', path: LEASES, body: lease({}, 'bad-lease', { creationTimestamp: '2026-11-23 14:06:29' }) }),
  },
  {
    rule: 'int32 field (leaseDurationSeconds) given a string',
    code: 400,
    message: 'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32',
    kubectl: { args: (c) => ['create', '-f', c.file(lease({ leaseDurationSeconds: '60' }))], prints: 'json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32' },
    http: () => ({ method: 'POST', path: LEASES, body: lease({ leaseDurationSeconds: '60' }) }),
  },
  {
    rule: 'int32 field given a fraction (patch)',
    code: 422,
    message: /^ "" is invalid: patch: Invalid value: ".+": json: cannot unmarshal number 1\.5 into Go struct field LeaseSpec\.spec\.leaseDurationSeconds of type int32$/,
    kubectl: { args: () => ['patch', 'lease', 'held', '-n', RULE_NS, '--type', 'merge', '-p', '{"spec":{"leaseDurationSeconds":1.5}}'], prints: 'json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32' },
    http: () => ({ method: 'PATCH', path: `${LEASES}/held`, body: { spec: { leaseDurationSeconds: 1.5 } }, contentType: merge }),
  },
  {
    rule: 'leaseDurationSeconds must be greater than 0',
    code: 422,
    message: 'Lease.coordination.k8s.io "held" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    kubectl: { args: () => ['patch', 'lease', 'held', '-n', RULE_NS, '--type', 'merge', '-p', '{"spec":{"leaseDurationSeconds":0}}'], prints: 'The Lease "held" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0' },
    http: () => ({ method: 'PATCH', path: `${LEASES}/held`, body: { spec: { leaseDurationSeconds: 0 } }, contentType: merge }),
  },
  {
    rule: 'leaseTransitions must be greater than or equal to 0',
    code: 422,
    message: 'Lease.coordination.k8s.io "bad-lease" is invalid: spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    kubectl: { args: (c) => ['create', '-f', c.file(lease({ leaseTransitions: -1 }))], prints: 'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0' },
    http: () => ({ method: 'POST', path: LEASES, body: lease({ leaseTransitions: -1 }) }),
  },
  {
    rule: 'names are DNS-1123 subdomains (lowercase, no "_")',
    code: 422,
    message: `Lease.coordination.k8s.io "Foundation_Drain" is invalid: metadata.name: Invalid value: "Foundation_Drain": ${DNS1123_SUBDOMAIN}`,
    kubectl: { args: (c) => ['create', '-f', c.file(lease({}, 'Foundation_Drain'))], prints: `metadata.name: Invalid value: "Foundation_Drain": ${DNS1123_SUBDOMAIN}` },
    http: () => ({ method: 'POST', path: LEASES, body: lease({}, 'Foundation_Drain') }),
  },
  {
    rule: 'names are at most 253 characters',
    code: 422,
    message: `Lease.coordination.k8s.io "${'a'.repeat(254)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
    kubectl: { args: (c) => ['create', '-f', c.file(lease({}, 'a'.repeat(254)))], prints: 'must be no more than 253 characters' },
    http: () => ({ method: 'POST', path: LEASES, body: lease({}, 'a'.repeat(254)) }),
  },
  {
    // kubectl refuses an object without a name itself ("resource name may not be empty").
    rule: 'metadata.name (or generateName) is required',
    code: 422,
    message: 'Lease.coordination.k8s.io "" is invalid: metadata.name: Required value: name or generateName is required',
    http: () => ({ method: 'POST', path: LEASES, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: {}, spec: {} } }),
  },
  {
    rule: 'an update with a stale resourceVersion is a conflict',
    code: 409,
    message: 'Operation cannot be fulfilled on leases.coordination.k8s.io "held": the object has been modified; please apply your changes to the latest version and try again',
    kubectl: {
      args: (c) => ['replace', '-f', c.file({ ...c.get('lease'), metadata: { ...c.get('lease').metadata, resourceVersion: '1' } })],
      prints: 'Operation cannot be fulfilled on leases.coordination.k8s.io "held": the object has been modified; please apply your changes to the latest version and try again',
    },
    http: (c) => ({ method: 'PUT', path: `${LEASES}/held`, body: { ...c.get('lease'), metadata: { ...c.get('lease').metadata, resourceVersion: '1' } } }),
  },
  {
    rule: 'CRD schema: minRunners has minimum 0',
    code: 422,
    message: 'AutoscalingRunnerSet.actions.github.com "linux" is invalid: spec.minRunners: Invalid value: -1: spec.minRunners in body should be greater than or equal to 0',
    kubectl: { args: () => ['patch', 'autoscalingrunnerset', 'linux', '-n', RULE_NS, '--type', 'merge', '-p', '{"spec":{"minRunners":-1}}'], prints: 'spec.minRunners: Invalid value: -1: spec.minRunners in body should be greater than or equal to 0' },
    http: () => ({ method: 'PATCH', path: `${SCALE_SETS}/linux`, body: { spec: { minRunners: -1 } }, contentType: merge }),
  },
  {
    rule: 'CRD schema: maxRunners is an integer',
    code: 422,
    message: 'AutoscalingRunnerSet.actions.github.com "linux" is invalid: spec.maxRunners: Invalid value: "number": spec.maxRunners in body must be of type integer: "number"',
    kubectl: { args: () => ['patch', 'autoscalingrunnerset', 'linux', '-n', RULE_NS, '--type', 'merge', '-p', '{"spec":{"maxRunners":2.5}}'], prints: 'spec.maxRunners in body must be of type integer: "number"' },
    http: () => ({ method: 'PATCH', path: `${SCALE_SETS}/linux`, body: { spec: { maxRunners: 2.5 } }, contentType: merge }),
  },
  {
    rule: 'annotation keys are qualified names (checked lowercased): patch',
    code: 422,
    message: `Lease.coordination.k8s.io "held" is invalid: metadata.annotations: Invalid value: "Bad Key": ${QUALIFIED_NAME_PART}`,
    kubectl: { args: () => ['patch', 'lease', 'held', '-n', RULE_NS, '--type', 'merge', '-p', JSON.stringify(annotate({ 'Bad Key': 'x' }))], prints: `The Lease "held" is invalid: metadata.annotations: Invalid value: "Bad Key": ${QUALIFIED_NAME_PART}` },
    http: () => ({ method: 'PATCH', path: `${LEASES}/held`, body: annotate({ 'Bad Key': 'x' }), contentType: merge }),
  },
  {
    rule: 'an annotation key prefix is a DNS-1123 subdomain, and the name part at most 63 characters',
    code: 422,
    message: `Lease.coordination.k8s.io "bad-lease" is invalid: [metadata.annotations: Invalid value: "Example_Com/x": prefix part ${DNS1123_SUBDOMAIN}, metadata.annotations: Invalid value: "example.com/${'n'.repeat(64)}": name part must be no more than 63 characters]`,
    kubectl: {
      args: (c) => ['create', '-f', c.file(lease({}, 'bad-lease', { annotations: { 'Example_Com/x': '1', [`example.com/${'n'.repeat(64)}`]: '2' } }))],
      prints: 'name part must be no more than 63 characters',
    },
    http: () => ({ method: 'POST', path: LEASES, body: lease({}, 'bad-lease', { annotations: { 'Example_Com/x': '1', [`example.com/${'n'.repeat(64)}`]: '2' } }) }),
  },
  {
    rule: 'annotations total at most 256 KiB (keys and values): patch',
    code: 422,
    message: 'Lease.coordination.k8s.io "held" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes',
    kubectl: { args: (c) => ['patch', 'lease', 'held', '-n', RULE_NS, '--type', 'merge', '--patch-file', c.file(OVERSIZED)], prints: 'The Lease "held" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes' },
    http: () => ({ method: 'PATCH', path: `${LEASES}/held`, body: OVERSIZED, contentType: merge }),
  },
  {
    rule: 'annotations of a custom resource follow the same rules',
    code: 422,
    message: 'AutoscalingRunnerSet.actions.github.com "linux" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes',
    kubectl: { args: (c) => ['patch', 'autoscalingrunnerset', 'linux', '-n', RULE_NS, '--type', 'merge', '--patch-file', c.file(OVERSIZED)], prints: 'metadata.annotations: Too long: may not be more than 262144 bytes' },
    http: () => ({ method: 'PATCH', path: `${SCALE_SETS}/linux`, body: OVERSIZED, contentType: merge }),
  },
  {
    rule: 'annotation values are strings (a built-in kind does not decode otherwise): create',
    code: 400,
    message: 'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string',
    kubectl: { args: (c) => ['create', '-f', c.file(lease({}, 'bad-lease', { annotations: { 'example.com/count': 3 } }))], prints: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string' },
    http: () => ({ method: 'POST', path: LEASES, body: lease({}, 'bad-lease', { annotations: { 'example.com/count': 3 } }) }),
  },
  {
    rule: 'label values are at most 63 characters of [-A-Za-z0-9_.], alphanumeric at both ends',
    code: 422,
    message:
      "Lease.coordination.k8s.io \"held\" is invalid: metadata.labels: Invalid value: \"-storage\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    kubectl: { args: () => ['patch', 'lease', 'held', '-n', RULE_NS, '--type', 'merge', '-p', '{"metadata":{"labels":{"role":"-storage"}}}'], prints: 'metadata.labels: Invalid value: "-storage": a valid label must be an empty string' },
    http: () => ({ method: 'PATCH', path: `${LEASES}/held`, body: { metadata: { labels: { role: '-storage' } } }, contentType: merge }),
  },
  {
    rule: 'a Node taint effect is NoSchedule, PreferNoSchedule or NoExecute',
    code: 422,
    message: 'Node "bad-node" is invalid: spec.taints[0].effect: Unsupported value: "Bogus": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    kubectl: { args: (c) => ['create', '-f', c.file(badNode)], prints: 'The Node "bad-node" is invalid: spec.taints[0].effect: Unsupported value: "Bogus"' },
    http: () => ({ method: 'POST', path: '/api/v1/nodes', body: badNode }),
  },
  {
    // kubectl replace fills in the current resourceVersion when the file has none.
    rule: 'a custom resource PUT needs metadata.resourceVersion',
    code: 422,
    message: 'AutoscalingRunnerSet.actions.github.com "linux" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    http: (c) => ({ method: 'PUT', path: `${SCALE_SETS}/linux`, body: withoutResourceVersion(c.get('scaleSet')) }),
  },
];

function withoutResourceVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

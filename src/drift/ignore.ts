// What drift leaves out of the comparison: the defaults (fields the server or the
// platform owns) and the stack's own rules. The rules have the shape of Flux
// helm-controller's `driftDetection.ignore` (api/v2 IgnoreRule): `paths` are JSON
// Pointers (RFC 6901), `target` a kustomize-style selector whose group, version, kind,
// name and namespace are anchored regular expressions, plus label and annotation
// selectors. A rule without a target applies to every object.

import { ACCEPT_ANNOTATION } from './diff.js';
import { parsePointer } from './pointer.js';

export { parsePointer, toPointer } from './pointer.js';

export interface IgnoreTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface IgnoreRule {
  paths: string[];
  target?: IgnoreTarget;
}

export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Metadata the API server writes and owns. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'ownerReferences', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
/** Left out of every comparison: status, and the metadata above. */
const DEFAULT_IGNORED: string[][] = [['status'], ...SERVER_METADATA.map((f) => ['metadata', f])];

/**
 * Annotation and label keys that Kubernetes, kubectl, Helm and the ARC controller write
 * on objects they did not create: never drift. A key ending in "/" is a prefix.
 */
export const PLATFORM_KEYS = [
  'kubectl.kubernetes.io/',
  'kubernetes.io/change-cause',
  'kubernetes.io/metadata.name',
  'deployment.kubernetes.io/',
  'meta.helm.sh/',
  'app.kubernetes.io/managed-by',
  'control-plane.alpha.kubernetes.io/',
  'autoscaling.alpha.kubernetes.io/',
  'endpoints.kubernetes.io/',
  'pv.kubernetes.io/',
  'volume.kubernetes.io/',
  'volume.beta.kubernetes.io/',
  'runner-scale-set-id',
  'actions.github.com/runner-group-name',
  'actions.github.com/runner-scale-set-name',
  // foundation's own record of accepted drift: read by drift, never drift itself
  ACCEPT_ANNOTATION,
];

export function isPlatformKey(key: string): boolean {
  return PLATFORM_KEYS.some((p) => (p.endsWith('/') ? key.startsWith(p) : key === p));
}

/** The checks a compiled rule runs; invalid regular expressions and selectors fail here, once. */
export interface CompiledRule {
  paths: string[][];
  matches(object: ObjectIdentity): boolean;
}

function anchored(pattern: string | undefined): RegExp | undefined {
  return pattern ? new RegExp(`^(?:${pattern})$`) : undefined;
}

export function compileRule(rule: IgnoreRule): CompiledRule {
  const paths = rule.paths.map(parsePointer);
  const t = rule.target ?? {};
  const group = anchored(t.group);
  const version = anchored(t.version);
  const kind = anchored(t.kind);
  const name = anchored(t.name);
  const namespace = anchored(t.namespace);
  const labels = t.labelSelector ? parseSelector(t.labelSelector) : undefined;
  const annotations = t.annotationSelector ? parseSelector(t.annotationSelector) : undefined;
  return {
    paths,
    matches(o) {
      const [g, v] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
      return (
        (!group || group.test(g!)) &&
        (!version || version.test(v!)) &&
        (!kind || kind.test(o.kind)) &&
        (!name || name.test(o.name)) &&
        (!namespace || namespace.test(o.namespace ?? '')) &&
        (!labels || labels(o.labels)) &&
        (!annotations || annotations(o.annotations))
      );
    },
  };
}

/** The ignored paths for one object: the defaults, the HPA's replicas, and every matching rule. */
export function ignoredPaths(object: ObjectIdentity, rules: CompiledRule[], { hpaTargeted }: { hpaTargeted: boolean }): string[][] {
  const paths = [...DEFAULT_IGNORED];
  if (hpaTargeted) paths.push(['spec', 'replicas']);
  for (const rule of rules) if (rule.matches(object)) paths.push(...rule.paths);
  return paths;
}

export function isIgnored(path: Array<string | number>, ignored: string[][]): boolean {
  return ignored.some((prefix) => prefix.length <= path.length && prefix.every((s, i) => s === String(path[i])));
}

type Requirement = (labels: Record<string, string>) => boolean;

/** A Kubernetes label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated. */
export function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const requirements: Requirement[] = [];
  // Split at the commas that are not inside a value list.
  const parts = selector.split(/,(?![^(]*\))/);
  for (const raw of parts) {
    const part = raw.trim();
    if (!part) continue;
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = m as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      requirements.push(op === 'in' ? (l) => key in l && values.includes(l[key]!) : (l) => !(key in l) || !values.includes(l[key]!));
    } else if ((m = part.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      const [, key, op, value] = m as [string, string, string, string];
      requirements.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = part.match(/^!\s*([\w./-]+)$/))) {
      const key = m[1]!;
      requirements.push((l) => !(key in l));
    } else if ((m = part.match(/^([\w./-]+)$/))) {
      const key = m[1]!;
      requirements.push((l) => key in l);
    } else throw new Error(`"${selector}" is not a valid label selector (at "${part}")`);
  }
  return (labels) => requirements.every((r) => r(labels));
}

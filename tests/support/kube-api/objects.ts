// The shape every stored object has, and small JSON helpers shared by the stand-in.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** A stored object: name (and namespace, when namespaced) are always set. */
export type StoredObject = KubeObject & { metadata: ObjectMeta & { name: string } };

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Reads a dotted path such as `.status.phase` (the form of CRD printer-column jsonPaths). */
export function valueAt(obj: unknown, path: string): unknown {
  let current = obj;
  for (const key of path.split('.').filter(Boolean)) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Key equality the way etcd sees it: the serialized bytes. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key])]),
  );
}

/** RFC 3339 at second precision, as the API server writes timestamps. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

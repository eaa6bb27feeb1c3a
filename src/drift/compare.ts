import type { FieldDiff, SecretDataDiff } from './diff.js';
import { isIgnored, isPlatformKey } from './ignore.js';
import { toPointer } from './pointer.js';
import { isZeroValue, sameScalar } from './normalise.js';

/** One field that differs; an absent side is left out (undefined). */
export interface ObjectDiff {
  fields: FieldDiff[];
  secretData?: SecretDataDiff;
}

type Json = Record<string, unknown>;
type Path = Array<string | number>;

/** Maps whose keys are compared both ways: a key added by hand is drift, not only a changed value. */
const WHOLE_MAPS: Path[] = [
  ['metadata', 'labels'],
  ['metadata', 'annotations'],
  ['data'],
  ['binaryData'],
];

/**
 * Compares what the state declares with the live object. Only declared fields count, except
 * labels, annotations and ConfigMap data, compared whole (less platform-written keys), and
 * Secret data, compared by each key's decoded bytes.
 *
 * The walk keeps one path stack and, at each level, only the ignored prefixes that still
 * match it: a drift run walks every field of thousands of objects.
 */
export function compareObject(expected: Json, live: Json, ignored: string[][]): ObjectDiff {
  const fields: FieldDiff[] = [];
  const diff: ObjectDiff = { fields };
  const isSecret = expected.kind === 'Secret';
  const path: Path = [];
  /** The prefixes of `active` that also match `key` at the next depth. */
  const narrow = (active: string[][], key: string | number): string[][] => (active.length === 0 ? active : active.filter((p) => p[path.length] === String(key)));
  /** Whether a prefix ends at the current depth: the path is ignored. */
  const ends = (active: string[][]): boolean => active.some((p) => p.length === path.length);
  const walk = (want: unknown, have: unknown, active: string[][]): void => {
    if (ends(active)) return;
    if (path.length <= 2 && WHOLE_MAPS.some((p) => samePath(p, path))) return compareWholeMap(want, have, active);
    if (Array.isArray(want)) {
      if (!Array.isArray(have)) {
        if (!(isZeroValue(want) && isZeroValue(have))) fields.push(entry(path, want, have));
        return;
      }
      for (let i = 0; i < have.length || i < want.length; i++) {
        const next = narrow(active, i);
        path.push(i);
        if (i < want.length) walk(want[i], have[i], next);
        else if (!ends(next)) fields.push(entry(path, undefined, have[i]));
        path.pop();
      }
      return;
    }
    if (isMap(want)) {
      if (!isMap(have)) {
        if (!(isZeroValue(want) && isZeroValue(have))) fields.push(entry(path, want, have));
        return;
      }
      for (const key of Object.keys(want)) {
        const next = narrow(active, key);
        path.push(key);
        walk(want[key], have[key], next);
        path.pop();
      }
      return;
    }
    if (have === undefined && isZeroValue(want)) return;
    if (!sameScalar(want, have)) fields.push(entry(path, want, have));
  };
  const compareWholeMap = (want: unknown, have: unknown, active: string[][]): void => {
    const w = (isMap(want) ? want : {}) as Record<string, unknown>;
    const h = (isMap(have) ? have : {}) as Record<string, unknown>;
    const metadataMap = path[0] === 'metadata';
    for (const key of new Set([...Object.keys(w), ...Object.keys(h)])) {
      if (metadataMap && !(key in w) && isPlatformKey(key)) continue;
      const next = narrow(active, key);
      path.push(key);
      if (!ends(next) && (!(key in w) || !(key in h) || !sameScalar(w[key], h[key]))) fields.push(entry(path, w[key], h[key]));
      path.pop();
    }
  };
  for (const key of Object.keys(expected)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (isSecret && (key === 'data' || key === 'stringData')) continue;
    const active = narrow(ignored, key);
    path.push(key);
    walk(expected[key], live[key], active);
    path.pop();
  }
  // labels and annotations added by hand show even when the state declares none
  for (const mapPath of WHOLE_MAPS.slice(0, 2)) {
    if (valueAt(expected, mapPath) !== undefined) continue;
    const active = ignored.filter((p) => mapPath.every((segment, i) => i >= p.length || p[i] === segment));
    if (active.some((p) => p.length <= mapPath.length)) continue;
    path.push(...mapPath);
    compareWholeMap(undefined, valueAt(live, mapPath), active);
    path.length = 0;
  }
  if (isSecret) {
    const secretData = compareSecretData(expected, live, ignored);
    if (secretData.changed.length + secretData.added.length + secretData.removed.length > 0) diff.secretData = secretData;
  }
  return diff;
}

/** Per key, the decoded bytes on each side: which keys differ, never what they hold. */
function compareSecretData(expected: Json, live: Json, ignored: string[][]): SecretDataDiff {
  const want = secretBytes(expected);
  const have = secretBytes(live);
  const keys = [...new Set([...want.keys(), ...have.keys()])].filter((k) => !isIgnored(['data', k], ignored)).sort();
  return {
    changed: keys.filter((k) => want.has(k) && have.has(k) && !want.get(k)!.equals(have.get(k)!)),
    added: keys.filter((k) => !want.has(k)),
    removed: keys.filter((k) => !have.has(k)),
  };
}

/** `data` (base64) and `stringData` (text, which the server folds into data) as bytes per key. */
function secretBytes(secret: Json): Map<string, Buffer> {
  const bytes = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) bytes.set(k, Buffer.from(String(v), 'base64'));
  for (const [k, v] of Object.entries((secret.stringData ?? {}) as Record<string, string>)) bytes.set(k, Buffer.from(String(v)));
  return bytes;
}

function entry(path: Path, expected: unknown, live: unknown): FieldDiff {
  return { path: toPointer(path), ...(expected === undefined ? {} : { expected }), ...(live === undefined ? {} : { live }) };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

function valueAt(object: Json, path: Path): unknown {
  let current: unknown = object;
  for (const key of path) current = isMap(current) ? current[key as string] : undefined;
  return current;
}

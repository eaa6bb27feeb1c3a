import { createHash } from 'node:crypto';
import type { FieldAcceptance } from './acceptance.js';
import { isIgnored, isPlatformKey } from './ignore.js';
import { toPointer } from './pointer.js';
import { isZeroValue, sameScalar } from './normalise.js';

/** One field that differs; an absent side is left out (undefined). */
export interface FieldDiff {
  path: string;
  expected?: unknown;
  live?: unknown;
  /** The acceptance covering the field (see acceptance.ts): on a field still counted as drift, an expired one. */
  acceptance?: FieldAcceptance;
}

/** A Secret's data compared by hash: key names only, never a value. */
export interface SecretDataDiff {
  changed: string[];
  added: string[];
  removed: string[];
  /** Keys above whose acceptance has expired. */
  acceptanceExpired?: Array<{ key: string; acceptance: FieldAcceptance }>;
}

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
 * Secret data, compared by hash.
 */
export function compareObject(expected: Json, live: Json, ignored: string[][]): ObjectDiff {
  const fields: FieldDiff[] = [];
  const diff: ObjectDiff = { fields };
  const isSecret = expected.kind === 'Secret';
  const walk = (want: unknown, have: unknown, path: Path): void => {
    if (isIgnored(path, ignored)) return;
    if (WHOLE_MAPS.some((p) => samePath(p, path))) return compareWholeMap(want, have, path);
    if (Array.isArray(want)) {
      if (!Array.isArray(have)) {
        if (!(isZeroValue(want) && isZeroValue(have))) fields.push(entry(path, want, have));
        return;
      }
      want.forEach((item, i) => walk(item, have[i], [...path, i]));
      for (let i = want.length; i < have.length; i++) if (!isIgnored([...path, i], ignored)) fields.push(entry([...path, i], undefined, have[i]));
      return;
    }
    if (isMap(want)) {
      if (!isMap(have)) {
        if (!(isZeroValue(want) && isZeroValue(have))) fields.push(entry(path, want, have));
        return;
      }
      for (const key of Object.keys(want)) walk(want[key], have[key], [...path, key]);
      return;
    }
    if (have === undefined && isZeroValue(want)) return;
    if (!sameScalar(want, have)) fields.push(entry(path, want, have));
  };
  const compareWholeMap = (want: unknown, have: unknown, path: Path): void => {
    const w = (isMap(want) ? want : {}) as Record<string, unknown>;
    const h = (isMap(have) ? have : {}) as Record<string, unknown>;
    const metadataMap = path[0] === 'metadata';
    for (const key of new Set([...Object.keys(w), ...Object.keys(h)])) {
      const keyPath = [...path, key];
      if (isIgnored(keyPath, ignored) || (metadataMap && !(key in w) && isPlatformKey(key))) continue;
      if (!(key in w) || !(key in h) || !sameScalar(w[key], h[key])) fields.push(entry(keyPath, w[key], h[key]));
    }
  };
  for (const key of Object.keys(expected)) {
    if (key === 'apiVersion' || key === 'kind') continue;
    if (isSecret && (key === 'data' || key === 'stringData')) continue;
    walk(expected[key], live[key], [key]);
  }
  // labels and annotations added by hand show even when the state declares none
  for (const path of WHOLE_MAPS.slice(0, 2)) if (valueAt(expected, path) === undefined) compareWholeMap(undefined, valueAt(live, path), path);
  if (isSecret) {
    const secretData = compareSecretData(expected, live, ignored);
    if (secretData.changed.length + secretData.added.length + secretData.removed.length > 0) diff.secretData = secretData;
  }
  return diff;
}

/** Per key, the SHA-256 of the decoded bytes on each side: which keys differ, never what they hold. */
function compareSecretData(expected: Json, live: Json, ignored: string[][]): SecretDataDiff {
  const want = secretHashes(expected);
  const have = secretHashes(live);
  const keys = [...new Set([...want.keys(), ...have.keys()])].filter((k) => !isIgnored(['data', k], ignored)).sort();
  return {
    changed: keys.filter((k) => want.has(k) && have.has(k) && want.get(k) !== have.get(k)),
    added: keys.filter((k) => !want.has(k)),
    removed: keys.filter((k) => !have.has(k)),
  };
}

function secretHashes(secret: Json): Map<string, string> {
  const hashes = new Map<string, string>();
  const hash = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  for (const [k, v] of Object.entries((secret.data ?? {}) as Record<string, string>)) hashes.set(k, hash(Buffer.from(String(v), 'base64')));
  for (const [k, v] of Object.entries((secret.stringData ?? {}) as Record<string, string>)) hashes.set(k, hash(Buffer.from(String(v))));
  return hashes;
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

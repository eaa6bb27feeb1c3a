// Decoding into typed Go structs, as the apiserver does for built-in kinds before any
// validation: a field of the wrong JSON type, an integer that is not one, or a timestamp
// that does not parse fails the whole request. Error texts are Go's:
//   encoding/json (sigs.k8s.io/json)  json: cannot unmarshal <what> into Go struct field <Struct>.<path> of type <type>
//   metav1.MicroTime.UnmarshalJSON    time.Parse("2006-01-02T15:04:05.000000Z07:00", s)   (exactly six fractional digits)
//   metav1.Time.UnmarshalJSON         time.Parse(time.RFC3339, s)                         (any fraction; stored at seconds)
// A kind declares its typed fields in resources.ts (`typed`); custom resources have none
// (their schema is OpenAPI, checked by `validate`).
import { isObject, valueAt, type KubeObject } from './objects.js';

export type FieldKind = 'microtime' | 'time' | 'int32' | 'int64' | 'string' | 'bool' | 'stringmap';

export interface TypedField {
  kind: FieldKind;
  /** The Go struct the field is in, as json's UnmarshalTypeError names it (e.g. LeaseSpec). */
  struct: string;
}

/** Typed fields by dotted path: `{ 'spec.renewTime': { kind: 'microtime', struct: 'LeaseSpec' } }`. */
export type TypedFields = Record<string, TypedField>;

export function typedFields(struct: string, prefix: string, kinds: Record<string, FieldKind>): TypedFields {
  return Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [`${prefix}.${name}`, { kind, struct }]));
}

/** ObjectMeta's typed fields, shared by every built-in kind. */
export const objectMetaFields = typedFields('ObjectMeta', 'metadata', {
  creationTimestamp: 'time',
  deletionTimestamp: 'time',
  generation: 'int64',
  deletionGracePeriodSeconds: 'int64',
  labels: 'stringmap',
  annotations: 'stringmap',
});

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339_MICRO = '2006-01-02T15:04:05.000000Z07:00';

const GO_TYPE: Record<FieldKind, string> = { microtime: 'string', time: 'string', int32: 'int32', int64: 'int64', string: 'string', bool: 'bool', stringmap: 'map[string]string' };
const INT_RANGE = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] } as const;

/** A decoding failure: the message Go's decoder returns. */
export class DecodeError extends Error {}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

/**
 * Decodes the typed fields of `obj` in place (times normalized the way the server stores
 * them), or throws a DecodeError with Go's message for the first field that fails.
 */
export function decodeTyped(obj: KubeObject, fields: TypedFields): void {
  for (const [path, field] of Object.entries(fields)) {
    const value = valueAt(obj, path);
    if (value === undefined || value === null) continue;
    const normalized = decodeField(path, field, value);
    setAt(obj, path, normalized);
  }
}

function decodeField(path: string, { kind, struct }: TypedField, value: unknown): unknown {
  const typeError = (what: string) => new DecodeError(`json: cannot unmarshal ${what} into Go struct field ${struct}.${path} of type ${GO_TYPE[kind]}`);
  // Times unmarshal through their own UnmarshalJSON, which first decodes a plain string.
  if (kind === 'microtime' || kind === 'time') {
    if (typeof value !== 'string') throw new DecodeError(`json: cannot unmarshal ${jsonKind(value)} into Go value of type string`);
    const parsed = parseGoTime(kind === 'microtime' ? RFC3339_MICRO : RFC3339, value);
    return kind === 'microtime' ? parsed.toISOString().replace(/\.(\d{3})Z$/, (_, ms: string) => `.${ms}${microsOf(value)}Z`) : parsed.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  // map[string]string: the map itself, then each value (Go names the map's field and the value's type).
  if (kind === 'stringmap') {
    if (!isObject(value)) throw typeError(jsonKind(value));
    const bad = Object.values(value).find((v) => typeof v !== 'string' && v !== null);
    if (bad !== undefined) throw new DecodeError(`json: cannot unmarshal ${jsonKind(bad)} into Go struct field ${struct}.${path} of type string`);
    // A null value decodes to the empty string.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v ?? '']));
  }
  if (kind === 'int32' || kind === 'int64') {
    if (typeof value !== 'number') throw typeError(jsonKind(value));
    const [min, max] = INT_RANGE[kind];
    if (!Number.isInteger(value) || value < min || value > max) throw typeError(`number ${String(value)}`);
    return value;
  }
  if (kind === 'bool' ? typeof value !== 'boolean' : typeof value !== 'string') throw typeError(jsonKind(value));
  return value;
}

/** The three digits below the millisecond that a JavaScript Date cannot hold. */
function microsOf(value: string): string {
  return /\.\d{3}(\d{3})/.exec(value)?.[1] ?? '000';
}

function setAt(obj: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  let current = obj;
  for (const key of keys.slice(0, -1)) current = isObject(current) ? current[key] : undefined;
  if (isObject(current)) current[keys.at(-1)!] = value;
}

/**
 * Go's time.Parse for the two layouts the API uses, with its error messages:
 *   parsing time "<value>" as "<layout>": cannot parse "<rest>" as "<element>"
 *   parsing time "<value>": month out of range
 *   parsing time "<value>": extra text: "<rest>"
 */
export function parseGoTime(layout: typeof RFC3339 | typeof RFC3339_MICRO, value: string): Date {
  const elements = layout === RFC3339_MICRO
    ? ['2006', '-', '01', '-', '02', 'T', '15', ':', '04', ':', '05', '.000000', 'Z07:00']
    : ['2006', '-', '01', '-', '02', 'T', '15', ':', '04', ':', '05', 'Z07:00'];
  const quote = JSON.stringify;
  const bad = (rest: string, element: string) => new DecodeError(`parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${quote(rest)} as ${quote(element)}`);
  const range = (what: string) => new DecodeError(`parsing time ${quote(value)}: ${what} out of range`);
  const parts: Record<string, number> = {};
  let offsetMinutes = 0;
  let rest = value;
  for (const element of elements) {
    if (element === '2006') {
      if (!/^\d{4}/.test(rest)) throw bad(rest, element);
      parts.year = Number(rest.slice(0, 4));
      rest = rest.slice(4);
    } else if (['01', '02', '04', '05'].includes(element)) {
      if (!/^\d\d/.test(rest)) throw bad(rest, element);
      parts[element] = Number(rest.slice(0, 2));
      rest = rest.slice(2);
      // A fraction after the seconds is accepted even when the layout has none.
      if (element === '05' && !elements.includes('.000000')) {
        const fraction = /^[.,]\d+/.exec(rest);
        if (fraction) {
          parts.ms = Number(`0.${fraction[0].slice(1)}`) * 1000;
          rest = rest.slice(fraction[0].length);
        }
      }
    } else if (element === '15') {
      const hour = /^\d\d?/.exec(rest);
      if (!hour) throw bad(rest, element);
      parts.hour = Number(hour[0]);
      rest = rest.slice(hour[0].length);
    } else if (element === '.000000') {
      if (rest.length < 7 || !/^[.,]\d{6}/.test(rest)) throw bad(rest, element);
      parts.ms = Number(rest.slice(1, 7)) / 1000;
      rest = rest.slice(7);
    } else if (element === 'Z07:00') {
      if (rest.startsWith('Z')) rest = rest.slice(1);
      else {
        const zone = /^([+-])(\d\d):(\d\d)/.exec(rest);
        if (!zone) throw bad(rest, element);
        offsetMinutes = (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3]));
        rest = rest.slice(6);
      }
    } else {
      if (!rest.startsWith(element)) throw bad(rest, element);
      rest = rest.slice(element.length);
    }
  }
  if (rest) throw new DecodeError(`parsing time ${quote(value)}: extra text: ${quote(rest)}`);
  const { year = 0, hour = 0, ms = 0 } = parts;
  const month = parts['01']!;
  const day = parts['02']!;
  if (month < 1 || month > 12) throw range('month');
  if (hour > 23) throw range('hour');
  if (parts['04']! > 59) throw range('minute');
  if (parts['05']! > 59) throw range('second');
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw range('day');
  return new Date(Date.UTC(year, month - 1, day, hour, parts['04']!, parts['05']!) + Math.floor(ms) - offsetMinutes * 60_000);
}

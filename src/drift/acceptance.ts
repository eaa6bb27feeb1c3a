// Bounded operator actions (the deployment contract's exception to drift): an operator
// accepts named fields of a live object as drifted, for a bounded time and with a reason.
// The acceptances live on the object itself, in one annotation holding a JSON list, so
// they travel with the object and need nothing but the API server. Drift then reports
// those fields as accepted until the time has passed, and as drift flagged "acceptance
// expired" after. An acceptance covers the fields it names and what lies below them,
// never anything else, and never a missing object (there is nothing to annotate).
import { ACCEPT_ANNOTATION, type FieldAcceptance, type FieldDiff, type SecretDataDiff } from './diff.js';
import { parsePointer, toPointer } from './pointer.js';

/** The longest an acceptance may run: drift accepted for longer is a change to make in code. */
export const MAX_ACCEPT_MS = 30 * 24 * 3_600_000;

/** One acceptance as the annotation stores it. */
export interface StoredAcceptance {
  /** JSON Pointers of the accepted fields (each covers what lies below it). */
  paths: string[];
  /** Who accepted: user@host of the operator's shell. */
  by: string;
  reason: string;
  /** RFC 3339, UTC, whole seconds. */
  acceptedAt: string;
  until: string;
}


/** The object's acceptances as read from its annotation, or why they could not be read. */
export type ParsedAcceptances = { acceptances: StoredAcceptance[] } | { error: string };

/** Reads the annotation; anything malformed hides nothing and is reported instead. */
export function parseAcceptances(annotations: Record<string, string> | undefined): ParsedAcceptances {
  const text = annotations?.[ACCEPT_ANNOTATION];
  if (text === undefined) return { acceptances: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: `annotation ${ACCEPT_ANNOTATION} is not JSON` };
  }
  if (!Array.isArray(value) || !value.every(isStoredAcceptance)) {
    return { error: `annotation ${ACCEPT_ANNOTATION} is not a list of { paths, by, reason, acceptedAt, until }` };
  }
  return { acceptances: value };
}

function isStoredAcceptance(value: unknown): value is StoredAcceptance {
  const a = value as Partial<StoredAcceptance> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    Array.isArray(a.paths) &&
    a.paths.length > 0 &&
    a.paths.every((p) => typeof p === 'string' && p.startsWith('/')) &&
    [a.by, a.reason, a.acceptedAt, a.until].every((s) => typeof s === 'string') &&
    !Number.isNaN(Date.parse(a.until!))
  );
}

export function isExpired(acceptance: StoredAcceptance, now: number): boolean {
  return Date.parse(acceptance.until) <= now;
}

/** Whether `path` (a JSON Pointer) is the accepted path or lies below it. */
export function covers(accepted: string, path: string): boolean {
  const a = parsePointer(accepted);
  const p = parsePointer(path);
  return a.length <= p.length && a.every((segment, i) => segment === p[i]);
}

/**
 * The acceptance that decides a field: a live one if any covers it (the one that runs
 * longest), else the expired one that ran out last, else none.
 */
export function acceptanceFor(path: string, acceptances: StoredAcceptance[], now: number): FieldAcceptance | undefined {
  const covering = acceptances.filter((a) => a.paths.some((p) => covers(p, path)));
  if (covering.length === 0) return undefined;
  const latest = (list: StoredAcceptance[]) => list.reduce((a, b) => (Date.parse(b.until) > Date.parse(a.until) ? b : a));
  const live = covering.filter((a) => !isExpired(a, now));
  const chosen = latest(live.length ? live : covering);
  return { by: chosen.by, reason: chosen.reason, acceptedAt: chosen.acceptedAt, until: chosen.until, expired: live.length === 0 };
}

/** A field whose drift is accepted for now. Secret keys have the path /data/<key> and no values. */
export type AcceptedField = FieldDiff & { acceptance: FieldAcceptance };

export interface SplitDiff {
  /** Drift that counts: unaccepted fields, and fields whose acceptance expired (flagged). */
  fields: FieldDiff[];
  secretData?: SecretDataDiff;
  accepted: AcceptedField[];
}

/** Splits one object's differences into the accepted and the rest. */
export function applyAcceptances(fields: FieldDiff[], secretData: SecretDataDiff | undefined, acceptances: StoredAcceptance[], now: number): SplitDiff {
  const accepted: AcceptedField[] = [];
  const remaining: FieldDiff[] = [];
  for (const field of fields) {
    const acceptance = acceptances.length ? acceptanceFor(field.path, acceptances, now) : undefined;
    if (!acceptance) remaining.push(field);
    else if (acceptance.expired) remaining.push({ ...field, acceptance });
    else accepted.push({ ...field, acceptance });
  }
  if (!secretData || acceptances.length === 0) return { fields: remaining, ...(secretData ? { secretData } : {}), accepted };

  const keep = (keys: string[]) =>
    keys.filter((key) => {
      const acceptance = acceptanceFor(toPointer(['data', key]), acceptances, now);
      if (!acceptance || acceptance.expired) return true;
      accepted.push({ path: toPointer(['data', key]), acceptance });
      return false;
    });
  const rest: SecretDataDiff = { changed: keep(secretData.changed), added: keep(secretData.added), removed: keep(secretData.removed) };
  const expired = [...rest.changed, ...rest.added, ...rest.removed].flatMap((key) => {
    const acceptance = acceptanceFor(toPointer(['data', key]), acceptances, now);
    return acceptance ? [{ key, acceptance }] : [];
  });
  if (expired.length) rest.acceptanceExpired = expired;
  const any = rest.changed.length + rest.added.length + rest.removed.length > 0;
  return { fields: remaining, ...(any ? { secretData: rest } : {}), accepted };
}


/** "accepted until 2026-11-24T18:00:00Z (load test), by alice@ops-1": how people read an acceptance. */
export function describeAcceptance(a: FieldAcceptance): string {
  return `${a.expired ? 'acceptance expired' : 'accepted until'} ${a.until} (${a.reason}), by ${a.by}`;
}

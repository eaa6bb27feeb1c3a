// What a comparison finds, shared by the comparison (compare.ts), the ignore rules
// (ignore.ts) and the operator's acceptances (acceptance.ts).

/** The annotation holding an object's acceptances: JSON, a list of StoredAcceptance. */
export const ACCEPT_ANNOTATION = 'foundation/drift-accepted';

/** What a drifted field shows of the acceptance that covers it. */
export interface FieldAcceptance {
  by: string;
  reason: string;
  acceptedAt: string;
  until: string;
  expired: boolean;
}

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

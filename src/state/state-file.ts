import { isDeepStrictEqual } from 'node:util';
import { FoundationError } from '../ui/errors.js';

/** What foundation reads from a tofu state document (format version 4). */
export interface StateSummary {
  lineage: string;
  serial: number;
  /** Resource addresses with their instance count, e.g. "module.a.terraform_data.x (2)". */
  resources: string[];
  /** The raw resources array, for an exact comparison. */
  raw: unknown[];
}

interface StateResource {
  module?: string;
  mode?: string;
  type?: string;
  name?: string;
  instances?: unknown[];
}

export function parseState(text: string, where: string): StateSummary {
  let doc: { lineage?: unknown; serial?: unknown; resources?: StateResource[] };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new FoundationError(`${where} is not a state file (not JSON)`, 'check that the object is a tofu state');
  }
  if (typeof doc.lineage !== 'string' || typeof doc.serial !== 'number') {
    throw new FoundationError(`${where} is not a state file (no lineage or serial)`, 'check that the object is a tofu state');
  }
  const resources = (doc.resources ?? []).map((r) => {
    const address = [r.module, r.mode === 'data' ? 'data' : undefined, r.type, r.name].filter(Boolean).join('.');
    const count = r.instances?.length ?? 0;
    return count === 1 ? address : `${address} (${count})`;
  });
  return { lineage: doc.lineage, serial: doc.serial, resources, raw: doc.resources ?? [] };
}

/** The same state as far as a migration must preserve it: lineage, serial and every resource instance. */
export function compareStates(from: StateSummary, to: StateSummary): { lineage: boolean; serial: boolean; resources: boolean } {
  return { lineage: from.lineage === to.lineage, serial: from.serial === to.serial, resources: isDeepStrictEqual(from.raw, to.raw) };
}

/** The document with another serial, same lineage and content, in tofu's own layout (2-space JSON). */
export function withSerial(text: string, serial: number): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  return `${JSON.stringify({ ...doc, serial }, null, 2)}\n`;
}

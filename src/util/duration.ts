import { DURATION } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "30m", "1h" in milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new FoundationError(`${what} must be a duration such as 90s, 30m or 1h, not "${text}"`, 'use a whole number and one of ms, s, m, h');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

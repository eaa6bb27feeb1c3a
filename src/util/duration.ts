import { DURATION } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "30m", "1h" in milliseconds. */
export function parseDuration(text: string, what: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new FoundationError(`${what} must be a duration such as 90s, 30m or 1h, not "${text}"`, 'use a whole number and one of ms, s, m, h');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** "45s", "3m 12s", "2h 5m", "3d 4h": an age for people. */
export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

import type { S3Client } from '@aws-sdk/client-s3';
import { lockAgeMs, readStateLock, type StateLock } from '../state/s3-lock.js';
import { probeError } from '../backends/s3-probe.js';
import { readStateObject } from '../state/s3-state.js';
import { parseState } from '../state/state-file.js';
import { createS3Client } from '../backends/s3-client.js';
import type { Stack } from '../config/project.js';
import { requireStateKey } from '../config/resolve.js';
import type { RunContext } from '../orchestrate/run-context.js';
import { FoundationError } from '../ui/errors.js';

/** The state object as status shows it: which write it is, when it was written, who holds its lock. */
export interface StateInfo {
  key: string;
  /** null when there is no state object (never applied in this ENV). */
  serial: number | null;
  lineage: string | null;
  /** When the object was last written: S3 LastModified, ISO 8601. */
  lastModified: string | null;
  /** tofu's lock object `<key>.tflock`, when something holds it. */
  lock: (StateLock & { ageMs: number | null }) | null;
  error?: { message: string; hint?: string };
}

/** Each stack's state object and lock object, read at once through one S3 client. */
export async function readStateInfos(ctx: RunContext, stacks: Stack[]): Promise<Map<string, StateInfo>> {
  const client = await createS3Client(ctx.location, ctx.credentials);
  try {
    return new Map(await Promise.all(stacks.map(async (stack) => [stack.name, await stateInfo(ctx, client, stack)] as const)));
  } finally {
    client.destroy();
  }
}

async function stateInfo(ctx: RunContext, client: S3Client, stack: Stack): Promise<StateInfo> {
  const key = requireStateKey(stack, ctx.env);
  try {
    const [object, lock] = await Promise.all([readStateObject(client, ctx.location.bucket, key), readStateLock(ctx.location, ctx.credentials, key, client)]);
    const header = object ? stateHeader(object.body) : undefined;
    return {
      key,
      serial: header?.serial ?? null,
      lineage: header?.lineage ?? null,
      lastModified: object?.lastModified?.toISOString() ?? null,
      lock: lock ? { ...lock, ageMs: lockAgeMs(lock) ?? null } : null,
    };
  } catch (error) {
    const failure = error instanceof FoundationError ? error : probeError(error, ctx.location, ctx.backendEnv);
    return { key, serial: null, lineage: null, lastModified: null, lock: null, error: { message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) } };
  }
}

/** serial and lineage of a state document; none for one that is not (drift reports it). */
function stateHeader(body: string): { serial?: number; lineage?: string } {
  try {
    return parseState(body, 'the state object');
  } catch {
    return {};
  }
}

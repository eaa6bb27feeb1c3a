import type { S3Client } from '@aws-sdk/client-s3';
import { FoundationError } from '../ui/errors.js';
import { createS3Client } from '../backends/s3-client.js';
import type { S3Credentials, S3Location } from '../backends/s3-settings.js';

/**
 * A state lock as tofu's S3 backend stores it with `use_lockfile = true`: the object
 * `<state key>.tflock`, holding tofu's LockInfo as JSON (statemgr.LockInfo: ID,
 * Operation, Info, Who, Version, Created, Path).
 */
export interface StateLock {
  id: string;
  operation: string;
  info: string;
  who: string;
  version: string;
  /** When tofu took the lock (ISO 8601), or null when the object does not say. */
  created: string | null;
  path: string;
  /** The lock object's key. */
  key: string;
}

interface LockInfoJson {
  ID?: unknown;
  Operation?: unknown;
  Info?: unknown;
  Who?: unknown;
  Version?: unknown;
  Created?: unknown;
  Path?: unknown;
}

export function lockObjectKey(stateKey: string): string {
  return `${stateKey}.tflock`;
}

/** Reads the lock of a state key: undefined when nothing holds it. With `shared`, through that client (left open). */
export async function readStateLock(location: S3Location, credentials: S3Credentials, stateKey: string, shared?: S3Client): Promise<StateLock | undefined> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = shared ?? (await createS3Client(location, credentials));
  const key = lockObjectKey(stateKey);
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    return parseStateLock(await got.Body!.transformToString(), key);
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    if (error instanceof FoundationError) throw error;
    throw new FoundationError(`could not read the state lock ${key} at ${location.endpoint}: ${e.name ?? 'error'}${e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : ''}`, 'check the backend variables and that this key may read the bucket');
  } finally {
    if (!shared) client.destroy();
  }
}

export function parseStateLock(text: string, key: string): StateLock {
  let json: LockInfoJson;
  try {
    json = JSON.parse(text) as LockInfoJson;
  } catch {
    throw new FoundationError(`the state lock object ${key} is not tofu's lock JSON`, `look at the object in the bucket; if no tofu run holds it, remove it by hand`);
  }
  const text_ = (value: unknown) => (typeof value === 'string' ? value : '');
  if (!text_(json.ID)) throw new FoundationError(`the state lock object ${key} has no lock ID`, 'look at the object in the bucket; if no tofu run holds it, remove it by hand');
  const created = text_(json.Created);
  return {
    id: text_(json.ID),
    operation: text_(json.Operation),
    info: text_(json.Info),
    who: text_(json.Who),
    version: text_(json.Version),
    created: created && !Number.isNaN(Date.parse(created)) ? new Date(created).toISOString() : null,
    path: text_(json.Path),
    key,
  };
}

/** The lock's age in milliseconds, or undefined when it carries no time. */
export function lockAgeMs(lock: StateLock, now = Date.now()): number | undefined {
  return lock.created ? Math.max(0, now - Date.parse(lock.created)) : undefined;
}

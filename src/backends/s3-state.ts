import type { S3Client } from '@aws-sdk/client-s3';
import type { BackendEnvNames } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';
import { createS3Client } from './s3-client.js';
import { probeError } from './s3-probe.js';
import type { S3Credentials, S3Location } from './s3-settings.js';

/** One stored object (a state, or one version of it). */
export interface StateObject {
  body: string;
  versionId?: string;
  etag?: string;
  lastModified?: Date;
}

export interface StateVersion {
  versionId: string;
  lastModified: string;
  size: number;
  latest: boolean;
  deleteMarker: boolean;
}

export type VersioningStatus = 'Enabled' | 'Suspended' | 'off' | 'unsupported';

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function status(error: unknown): number | undefined {
  return (error as SdkError).$metadata?.httpStatusCode;
}

/** The state object at a key (a given version, or the latest); undefined when there is none. */
export async function readStateObject(client: S3Client, bucket: string, key: string, versionId?: string): Promise<StateObject | undefined> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    return { body: await got.Body!.transformToString(), versionId: got.VersionId, etag: got.ETag, lastModified: got.LastModified };
  } catch (error) {
    const e = error as SdkError;
    if (e.name === 'NoSuchKey' || (status(error) === 404 && !versionId && e.name !== 'NoSuchBucket')) return undefined;
    if (versionId && (e.name === 'NoSuchVersion' || status(error) === 404 || e.name === 'InvalidArgument' || status(error) === 400)) {
      throw new FoundationError(`there is no version "${versionId}" of s3://${bucket}/${key}`, 'list the versions with "foundation state versions <stack>"');
    }
    throw error;
  }
}

/** Whether an object exists (HeadObject). */
export async function objectExists(client: S3Client, bucket: string, key: string): Promise<boolean> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (status(error) === 404) return false;
    throw error;
  }
}

/** The bucket's versioning: Enabled, Suspended, off (never enabled), or unsupported by the server. */
export async function bucketVersioning(client: S3Client, bucket: string): Promise<VersioningStatus> {
  const { GetBucketVersioningCommand } = await import('@aws-sdk/client-s3');
  try {
    const answer = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
    return answer.Status === 'Enabled' || answer.Status === 'Suspended' ? answer.Status : 'off';
  } catch (error) {
    if ((error as SdkError).name === 'NotImplemented' || status(error) === 501) return 'unsupported';
    throw error;
  }
}

/** Refuses unless versioning is on: versions and restore have nothing to work with otherwise. */
export async function requireVersioning(client: S3Client, bucket: string): Promise<void> {
  const versioning = await bucketVersioning(client, bucket);
  if (versioning === 'Enabled') return;
  const why = versioning === 'unsupported' ? 'the S3 server does not support bucket versioning' : `versioning is ${versioning === 'off' ? 'off' : 'suspended'}`;
  throw new FoundationError(
    `bucket "${bucket}" keeps no state versions: ${why}`,
    versioning === 'unsupported'
      ? 'use an S3 server with versioning (RustFS, MinIO, AWS) to keep earlier states'
      : `enable versioning on the bucket (e.g. "mc version enable <alias>/${bucket}" or "aws s3api put-bucket-versioning --bucket ${bucket} --versioning-configuration Status=Enabled"); earlier states are kept from then on`,
  );
}

/** Every version of exactly this key (and its delete markers), newest first. */
export async function listVersions(client: S3Client, bucket: string, key: string): Promise<StateVersion[]> {
  const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
  const versions: StateVersion[] = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
    for (const v of page.Versions ?? []) {
      if (v.Key !== key) continue;
      versions.push({ versionId: v.VersionId!, lastModified: v.LastModified!.toISOString(), size: v.Size ?? 0, latest: Boolean(v.IsLatest), deleteMarker: false });
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key !== key) continue;
      versions.push({ versionId: m.VersionId!, lastModified: m.LastModified!.toISOString(), size: 0, latest: Boolean(m.IsLatest), deleteMarker: true });
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return versions.sort((a, b) => b.lastModified.localeCompare(a.lastModified) || Number(b.latest) - Number(a.latest));
}

/** Writes a state, only over the object whose ETag the caller read (412 otherwise): a restore never overwrites a write it has not seen. */
export async function writeStateObject(client: S3Client, bucket: string, key: string, body: string, ifMatch: string): Promise<string | undefined> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', IfMatch: ifMatch }));
    return put.VersionId;
  } catch (error) {
    if (status(error) === 412) {
      throw new FoundationError(`the state at s3://${bucket}/${key} changed while restoring; nothing was written`, 'look at the new state ("foundation state versions <stack>") and run the restore again if it is still wanted');
    }
    throw error;
  }
}

/** Creates the state object only if the key is free (If-None-Match: *): a copy never overwrites a state someone else wrote. */
export async function createStateObject(client: S3Client, bucket: string, key: string, body: string): Promise<void> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
  } catch (error) {
    if (status(error) === 412) {
      throw new FoundationError(`a state appeared at s3://${bucket}/${key} while migrating; it was not overwritten`, 'find out who wrote it ("foundation state pull <stack>") before migrating again');
    }
    throw error;
  }
}

/**
 * A stack's current state, read with GetObject at its key: the same bucket, endpoint and
 * credentials tofu's S3 backend uses. A missing object, like a refused request, is one clear line.
 */
export async function readStackState(location: S3Location, credentials: S3Credentials, names: BackendEnvNames, key: string): Promise<string> {
  const client = await createS3Client(location, credentials);
  let object: StateObject | undefined;
  try {
    object = await readStateObject(client, location.bucket, key);
  } catch (error) {
    throw probeError(error, location, names);
  } finally {
    client.destroy();
  }
  if (!object) {
    throw new FoundationError(
      `no state object at s3://${location.bucket}/${key} (${location.endpoint})`,
      'the stack has not been applied in this ENV yet, or its state key changed; "foundation state key <stack>" prints the key foundation uses',
    );
  }
  return object.body;
}

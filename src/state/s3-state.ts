import type { S3Client } from '@aws-sdk/client-s3';
import type { BackendEnvNames } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';
import { createS3Client } from '../backends/s3-client.js';
import { probeError } from '../backends/s3-probe.js';
import type { S3Credentials, S3Location } from '../backends/s3-settings.js';

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
  $response?: { headers?: Record<string, string | undefined> };
}

function status(error: unknown): number | undefined {
  return (error as SdkError).$metadata?.httpStatusCode;
}

/** S3 marks answers about a delete marker with x-amz-delete-marker: true. */
function aboutDeleteMarker(error: unknown): boolean {
  return (error as SdkError).$response?.headers?.['x-amz-delete-marker'] === 'true';
}

/** The current state at a key: the object, `deleted` when its current version is a delete marker, or undefined when there is none. */
export async function readCurrentObject(client: S3Client, bucket: string, key: string): Promise<StateObject | 'deleted' | undefined> {
  try {
    return await getObject(client, bucket, key);
  } catch (error) {
    const e = error as SdkError;
    if (e.name === 'NoSuchKey' || (status(error) === 404 && e.name !== 'NoSuchBucket')) return aboutDeleteMarker(error) ? 'deleted' : undefined;
    throw error;
  }
}

/** The state object at a key (a given version, or the latest); undefined when there is none. */
export async function readStateObject(client: S3Client, bucket: string, key: string, versionId?: string): Promise<StateObject | undefined> {
  if (!versionId) {
    const current = await readCurrentObject(client, bucket, key);
    return current === 'deleted' ? undefined : current;
  }
  try {
    return await getObject(client, bucket, key, versionId);
  } catch (error) {
    const e = error as SdkError;
    // GET of a delete marker's version id: 405 MethodNotAllowed. It holds no state, so it is the operator's pick that is wrong.
    if (e.name === 'MethodNotAllowed' || status(error) === 405) {
      throw new FoundationError(
        `version "${versionId}" of s3://${bucket}/${key} is a delete marker: the state was deleted there, it holds no state to read`,
        'pick a version with a serial; "foundation state versions <stack>" lists them, delete markers as "(deleted)"',
      );
    }
    if (e.name === 'NoSuchVersion' || status(error) === 404 || e.name === 'InvalidArgument' || status(error) === 400) {
      throw new FoundationError(`there is no version "${versionId}" of s3://${bucket}/${key}`, 'list the versions with "foundation state versions <stack>"');
    }
    throw error;
  }
}

async function getObject(client: S3Client, bucket: string, key: string, versionId?: string): Promise<StateObject> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return { body: await got.Body!.transformToString(), versionId: got.VersionId, etag: got.ETag, lastModified: got.LastModified };
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

/**
 * Writes a state as the key's new current version, only under its condition: `If-Match` the
 * ETag the caller read (a write never overwrites a write it has not seen) or `If-None-Match: *`
 * (the key holds no object: never written, or deleted). A refused condition (412) throws `refused`.
 */
export async function putStateObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: string,
  condition: { ifMatch: string } | { ifNoneMatch: '*' },
  refused: FoundationError,
): Promise<string | undefined> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  const precondition = 'ifMatch' in condition ? { IfMatch: condition.ifMatch } : { IfNoneMatch: condition.ifNoneMatch };
  try {
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json', ...precondition }));
    return put.VersionId;
  } catch (error) {
    // If-Match on a key that has no object (it was deleted meanwhile) is S3's 404 NoSuchKey.
    if (status(error) === 412 || ('ifMatch' in condition && status(error) === 404)) throw refused;
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

import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../backends/s3-client.js';
import { probeBucket } from '../backends/s3-probe.js';
import type { S3Credentials, S3Location } from '../backends/s3-settings.js';
import { bucketVersioning, listVersions } from '../state/s3-state.js';
import type { BackendEnvNames } from '../config/schema.js';
import type { Check } from './check.js';

/** HeadBucket, versioning, then the conditional-write probe; the later checks only when the bucket answered. */
export async function s3Checks(location: S3Location, credentials: S3Credentials, names: BackendEnvNames): Promise<Check[]> {
  try {
    await probeBucket(location, credentials, names);
  } catch (error) {
    const skipped = 'not checked: the bucket did not answer';
    return [
      { check: 's3', status: 'fail', detail: (error as Error).message },
      { check: 'versioning', status: 'warn', detail: skipped },
      { check: 'conditional writes', status: 'warn', detail: skipped },
    ];
  }
  const checks: Check[] = [{ check: 's3', status: 'ok', detail: `bucket "${location.bucket}" at ${location.endpoint} answers; credentials accepted` }];
  const client = await createS3Client(location, credentials);
  try {
    const versioning = await bucketVersioning(client, location.bucket).catch((error: Error) => `error: ${error.name}` as const);
    checks.push(
      versioning === 'Enabled'
        ? { check: 'versioning', status: 'ok', detail: `bucket "${location.bucket}" keeps earlier state versions` }
        : {
            check: 'versioning',
            status: 'warn',
            detail:
              versioning === 'unsupported'
                ? 'the server does not support bucket versioning: no earlier states to restore'
                : `versioning is ${versioning === 'Suspended' ? 'suspended' : versioning === 'off' ? 'off' : `unknown (${versioning})`}: no earlier states to restore`,
          },
    );
    checks.push(await conditionalWriteCheck(client, location.bucket, versioning === 'Enabled' || versioning === 'Suspended'));
  } finally {
    client.destroy();
  }
  return checks;
}

/**
 * tofu's use_lockfile takes the lock with a PutObject carrying If-None-Match: *. A probe
 * object written twice that way must be refused the second time (412); a server that
 * accepts both writes lets two runs hold the lock at once. The probe is removed after,
 * every version of it when the bucket keeps versions.
 */
async function conditionalWriteCheck(client: S3Client, bucket: string, versioned: boolean): Promise<Check> {
  const { PutObjectCommand, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  const key = `.foundation-doctor/probe-${randomBytes(6).toString('hex')}`;
  const put = () => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'foundation doctor probe\n', IfNoneMatch: '*' }));
  const check = 'conditional writes';
  try {
    try {
      await put();
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotImplemented' || e.$metadata?.httpStatusCode === 501) {
        return { check, status: 'warn', detail: 'the server refuses If-None-Match writes (NotImplemented): tofu\'s use_lockfile cannot take a lock here' };
      }
      return { check, status: 'fail', detail: `could not write the probe object ${key} (${e.name ?? 'error'}, HTTP ${e.$metadata?.httpStatusCode ?? '?'})` };
    }
    try {
      await put();
    } catch (error) {
      const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.$metadata?.httpStatusCode === 412) return { check, status: 'ok', detail: 'enforced: a second If-None-Match write of the probe object was refused (412)' };
      return { check, status: 'warn', detail: `the second probe write failed with ${e.name ?? 'error'} (HTTP ${e.$metadata?.httpStatusCode ?? '?'}), not 412 PreconditionFailed` };
    }
    return {
      check,
      status: 'warn',
      detail: 'NOT enforced: the server accepted a second If-None-Match write of the probe object, so state locking (use_lockfile) is ineffective on this server',
    };
  } finally {
    // In a versioned bucket a plain delete would leave the versions and add a delete marker.
    const versions = versioned ? await listVersions(client, bucket, key).catch(() => []) : [];
    for (const version of versions) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version.versionId })).catch(() => undefined);
    }
    if (!versioned) await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  }
}

import type { BackendEnvNames } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';
import { createS3Client } from './s3-client.js';
import type { S3Credentials, S3Location } from './s3-settings.js';

/**
 * One HeadBucket before tofu runs: an unreachable endpoint, refused credentials or a
 * missing bucket become one clear line here instead of tofu retrying for minutes and
 * printing an SDK error. The messages never include the credentials.
 */
export async function probeBucket(location: S3Location, credentials: S3Credentials, names: BackendEnvNames): Promise<void> {
  const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
  const client = await createS3Client(location, credentials);
  try {
    await client.send(new HeadBucketCommand({ Bucket: location.bucket }));
  } catch (error) {
    throw probeError(error, location, names);
  } finally {
    client.destroy();
  }
}

/** A failed S3 call as one line that names the variable to fix; never the credentials. */
export function probeError(error: unknown, location: S3Location, names: BackendEnvNames): FoundationError {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const status = e.$metadata?.httpStatusCode;
  if (status === 403 || status === 401 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
    return new FoundationError(
      `the S3 endpoint ${location.endpoint} refused the backend credentials (HTTP ${status ?? '403'})`,
      `check ${names.accessKey} and ${names.secretKey}, and that this key may read bucket "${location.bucket}"`,
    );
  }
  if (status === 404 || e.name === 'NotFound' || e.name === 'NoSuchBucket') {
    return new FoundationError(
      `bucket "${location.bucket}" does not exist at ${location.endpoint}`,
      `create the bucket, or set ${names.bucket} to the state bucket's name`,
    );
  }
  if (status !== undefined) {
    return new FoundationError(`the S3 endpoint ${location.endpoint} answered HTTP ${status} (${e.name ?? 'error'})`, `check ${names.endpoint} and the server's health`);
  }
  const code = e.code ?? e.cause?.code ?? e.name ?? 'no answer';
  return new FoundationError(
    `the S3 endpoint ${location.endpoint} is unreachable (${code})`,
    `check ${names.endpoint} and that the server is up and reachable from here`,
  );
}

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

/** What went wrong reaching the bucket, from the SDK here or from tofu's output (s3-tofu-error.ts). */
export type S3Failure =
  | { kind: 'credentials'; status?: number }
  | { kind: 'bucket' }
  | { kind: 'status'; status: number; name?: string }
  | { kind: 'unreachable'; code: string };

export function probeError(error: unknown, location: S3Location, names: BackendEnvNames): FoundationError {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: { code?: string } };
  const status = e.$metadata?.httpStatusCode;
  if (status === 403 || status === 401 || e.name === 'InvalidAccessKeyId' || e.name === 'SignatureDoesNotMatch' || e.name === 'AccessDenied') {
    return s3Error({ kind: 'credentials', status }, location, names);
  }
  if (status === 404 || e.name === 'NotFound' || e.name === 'NoSuchBucket') return s3Error({ kind: 'bucket' }, location, names);
  if (status !== undefined) return s3Error({ kind: 'status', status, name: e.name }, location, names);
  return s3Error({ kind: 'unreachable', code: e.code ?? e.cause?.code ?? e.name ?? 'no answer' }, location, names);
}

/** One line and a hint per failure; never the credentials themselves. */
export function s3Error(failure: S3Failure, location: S3Location, names: BackendEnvNames): FoundationError {
  switch (failure.kind) {
    case 'credentials':
      return new FoundationError(
        `the S3 endpoint ${location.endpoint} refused the backend credentials (HTTP ${failure.status ?? '403'})`,
        `check ${names.accessKey} and ${names.secretKey}, and that this key may read bucket "${location.bucket}"`,
      );
    case 'bucket':
      return new FoundationError(`bucket "${location.bucket}" does not exist at ${location.endpoint}`, `create the bucket, or set ${names.bucket} to the state bucket's name`);
    case 'status':
      return new FoundationError(`the S3 endpoint ${location.endpoint} answered HTTP ${failure.status} (${failure.name ?? 'error'})`, `check ${names.endpoint} and the server's health`);
    case 'unreachable':
      return new FoundationError(`the S3 endpoint ${location.endpoint} is unreachable (${failure.code})`, `check ${names.endpoint} and that the server is up and reachable from here`);
  }
}

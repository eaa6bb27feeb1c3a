import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Credentials, S3Location } from './s3-settings.js';

/** An SDK client for an S3-compatible server. The SDK is imported here, on demand: it is heavy. */
export async function createS3Client(location: S3Location, credentials: S3Credentials): Promise<S3Client> {
  // The SDK warns on every run that its 2027 releases will need Node 22; an operator can do nothing with that here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    endpoint: location.endpoint,
    region: location.region,
    forcePathStyle: true,
    credentials,
    maxAttempts: 2,
    // RustFS, MinIO and older Ceph reject the SDK's default CRC32 checksums on some calls.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
  });
}

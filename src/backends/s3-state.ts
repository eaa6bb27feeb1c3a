import type { BackendEnvNames } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';
import { createS3Client } from './s3-client.js';
import { probeError } from './s3-probe.js';
import type { S3Credentials, S3Location } from './s3-settings.js';

/**
 * The state object of a stack, read with GetObject at its key: the same bucket,
 * endpoint and credentials tofu's S3 backend uses. A missing object is one clear line.
 */
export async function readStateObject(location: S3Location, credentials: S3Credentials, names: BackendEnvNames, key: string): Promise<string> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = await createS3Client(location, credentials);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NoSuchKey' || (e.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket')) {
      throw new FoundationError(
        `no state object at s3://${location.bucket}/${key} (${location.endpoint})`,
        'the stack has not been applied in this ENV yet, or its state key changed; "foundation state key <stack>" prints the key foundation uses',
      );
    }
    throw probeError(error, location, names);
  } finally {
    client.destroy();
  }
}

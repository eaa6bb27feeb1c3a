import { describe, expect, it } from 'vitest';
import { TofuS3ErrorReader } from '../../src/backends/s3-tofu-error.js';

const LOCATION = { endpoint: 'http://127.0.0.1:9000', bucket: 'state', region: 'us-east-1' };
const NAMES = {
  endpoint: 'TOFU_BACKEND_S3_ENDPOINT',
  bucket: 'TOFU_BACKEND_S3_BUCKET',
  accessKey: 'TOFU_BACKEND_S3_ACCESS_KEY',
  secretKey: 'TOFU_BACKEND_S3_SECRET_KEY',
  region: 'TOFU_BACKEND_S3_REGION',
};

// terraform 1.11's S3 backend failing on a refused key, after a plan's worth of other output.
const REFUSED = `${'terraform_data.r[1]: Refreshing state... [id=1]\n'.repeat(200)}╷
│ Error: Failed to get existing workspaces: Unable to list objects in S3 bucket "state" with prefix "env:/": operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: 1, HostID: 2, api error InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.
╵
`;

function read(text: string, chunk: number) {
  const reader = new TofuS3ErrorReader();
  for (let i = 0; i < text.length; i += chunk) reader.push(text.slice(i, i + chunk));
  return reader.error(LOCATION, NAMES)?.message;
}

describe('TofuS3ErrorReader', () => {
  it('finds the S3 error in any chunking, the SDK wording split across chunks included', () => {
    const expected = 'the S3 endpoint http://127.0.0.1:9000 refused the backend credentials (HTTP 403)';
    for (const chunk of [REFUSED.length, 4096, 64, 7, 1]) expect(read(REFUSED, chunk), `chunks of ${chunk}`).toBe(expected);
  });

  it('a last line without a newline still counts; output without the wording is no error', () => {
    expect(read(REFUSED.trimEnd().split('\n').slice(0, -1).join('\n'), 13)).toMatch(/refused the backend credentials/);
    expect(read('terraform_data.r[1]: Refreshing state... [id=1]\nPlan: 0 to add, 1 to change, 0 to destroy.\n', 5)).toBeUndefined();
  });
});

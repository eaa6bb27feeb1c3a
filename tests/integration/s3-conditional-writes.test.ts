import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

function clientFor(s3: LocalS3): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

async function put(client: S3Client, s3: LocalS3, key: string, body: string, conditions: { IfNoneMatch?: string; IfMatch?: string } = {}) {
  try {
    const answer = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body, ...conditions }));
    return { ok: true as const, etag: answer.ETag };
  } catch (error) {
    if (!(error instanceof S3ServiceException)) throw error;
    return { ok: false as const, status: error.$metadata.httpStatusCode, code: error.name };
  }
}

describe('the test S3 server honours conditional writes, as AWS, MinIO and RustFS do', () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3();
    client = clientFor(s3);
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('refuses If-None-Match: * on an existing key with 412 PreconditionFailed and keeps the first body', async () => {
    expect(await put(client, s3, 'locks/a.tflock', 'first', { IfNoneMatch: '*' })).toMatchObject({ ok: true });
    expect(await put(client, s3, 'locks/a.tflock', 'second', { IfNoneMatch: '*' })).toEqual({ ok: false, status: 412, code: 'PreconditionFailed' });
    expect(await s3.read('locks/a.tflock')).toBe('first');
    expect(s3.preconditionsRefused()).toBeGreaterThanOrEqual(1);
  });

  it('lets exactly one of many simultaneous create-only writers win', async () => {
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => put(client, s3, 'locks/race.tflock', `writer-${i}`, { IfNoneMatch: '*' })));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => r.status === 412)).toBe(true);
  });

  it('answers If-None-Match with an ETag value with 501 NotImplemented, as AWS does for PutObject', async () => {
    expect(await put(client, s3, 'locks/b', 'x', { IfNoneMatch: '"abc"' })).toEqual({ ok: false, status: 501, code: 'NotImplemented' });
  });

  it('checks If-Match against the stored ETag: 412 on a mismatch, 404 on a missing key', async () => {
    const first = await put(client, s3, 'state/c.tfstate', 'v1');
    expect(first.ok && first.etag).toBeTruthy();
    expect(await put(client, s3, 'state/c.tfstate', 'v2', { IfMatch: '"0000"' })).toEqual({ ok: false, status: 412, code: 'PreconditionFailed' });
    expect(await put(client, s3, 'state/c.tfstate', 'v2', { IfMatch: first.ok ? first.etag : '' })).toMatchObject({ ok: true });
    expect(await s3.read('state/c.tfstate')).toBe('v2');
    expect(await put(client, s3, 'state/missing.tfstate', 'v1', { IfMatch: '"0000"' })).toEqual({ ok: false, status: 404, code: 'NoSuchKey' });
  });
});

describe('plain s3rver (conditionalWrites: false) ignores If-None-Match', () => {
  it('accepts the second create-only write, the behaviour that leaves use_lockfile protecting nothing', async () => {
    const s3 = await startLocalS3({ conditionalWrites: false });
    const client = clientFor(s3);
    try {
      expect(await put(client, s3, 'k.tflock', 'first', { IfNoneMatch: '*' })).toMatchObject({ ok: true });
      expect(await put(client, s3, 'k.tflock', 'second', { IfNoneMatch: '*' })).toMatchObject({ ok: true });
      expect(await s3.read('k.tflock')).toBe('second');
    } finally {
      client.destroy();
      await s3.stop();
    }
  });
});

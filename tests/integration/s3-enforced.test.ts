import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENFORCED_S3_RULES, sendSigned, type S3RuleContext } from '../support/s3-enforced.js';
import { startLocalS3, type LocalS3 } from '../support/s3.js';

const LIVE = 'enforced/live.txt';
const DELETED = 'enforced/deleted.tfstate';

/** The SDK's error for a call that must fail. */
async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof S3ServiceException)) throw new Error(`expected an S3 error, got ${String(error)}`);
  return error;
}

describe('the test S3 server refuses what S3 refuses (tests/support/s3-enforced.ts)', () => {
  let s3: LocalS3;
  let client: S3Client;
  let ctx: S3RuleContext;

  beforeAll(async () => {
    s3 = await startLocalS3({ versioning: true });
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new PutBucketVersioningCommand({ Bucket: s3.bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const live = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: LIVE, Body: 'live' }));
    const version = await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: DELETED, Body: '{"serial":1}' }));
    const marker = await client.send(new DeleteObjectCommand({ Bucket: s3.bucket, Key: DELETED }));
    expect(marker.DeleteMarker).toBe(true);
    const port = Number(new URL(s3.endpoint).port);
    ctx = {
      bucket: s3.bucket,
      deletedKey: DELETED,
      markerVersionId: marker.VersionId!,
      objectVersionId: version.VersionId!,
      liveKey: LIVE,
      etag: live.ETag!,
      send: (req) => sendSigned(port, s3, req),
    };
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it('a request signed as the SDK signs it passes the gate (the baseline every rule breaks)', async () => {
    const answer = await ctx.send({ method: 'GET', key: LIVE });
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toBe('live');
    const presigned = await ctx.send({ method: 'GET', key: LIVE, presign: { expiresIn: 60 } });
    expect(presigned.status, presigned.body).toBe(200);
  });

  for (const rule of ENFORCED_S3_RULES) {
    it(rule.rule, async () => {
      const answer = await rule.send(ctx);
      expect(answer.status, answer.body).toBe(rule.status);
      for (const [name, value] of Object.entries(rule.headers ?? {})) expect(answer.headers[name], name).toBe(value);
      if (answer.body === '') return; // HEAD: S3 sends no error document
      const element = (name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(answer.body)?.[1];
      expect(element('Code')).toBe(rule.code);
      if (rule.message) expect(element('Message')).toBe(rule.message);
      for (const [name, value] of Object.entries(rule.details ?? {})) {
        const text = element(name)?.replace(/&amp;/g, '&');
        if (value instanceof RegExp) expect(text, name).toMatch(value);
        else expect(text, name).toBe(value);
      }
    });
  }

  it('the refused writes stored nothing: the live object is as it was', async () => {
    const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: LIVE }));
    expect(await got.Body!.transformToString()).toBe('live');
    expect(s3.authRefused()).toBeGreaterThanOrEqual(ENFORCED_S3_RULES.filter((r) => ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch'].includes(r.code)).length);
  });

  it('the AWS SDK reads the delete-marker answers as S3\'s: MethodNotAllowed with x-amz-delete-marker, NoSuchKey, DeleteMarker entries', async () => {
    const byVersion = await failure(client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: DELETED, VersionId: ctx.markerVersionId })));
    expect(byVersion.name).toBe('MethodNotAllowed');
    expect(byVersion.$metadata.httpStatusCode).toBe(405);
    expect(byVersion.$response?.headers['x-amz-delete-marker']).toBe('true');
    const head = await failure(client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: DELETED, VersionId: ctx.markerVersionId })));
    expect(head.$metadata.httpStatusCode).toBe(405);
    const current = await failure(client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: DELETED })));
    expect(current.name).toBe('NoSuchKey');
    expect(current.$response?.headers['x-amz-delete-marker']).toBe('true');
    // The version before the marker is still there, by its id.
    const earlier = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: DELETED, VersionId: ctx.objectVersionId }));
    expect(await earlier.Body!.transformToString()).toBe('{"serial":1}');

    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: s3.bucket, Prefix: DELETED }));
    expect(listed.DeleteMarkers).toEqual([expect.objectContaining({ Key: DELETED, VersionId: ctx.markerVersionId, IsLatest: true })]);
    expect(listed.Versions).toEqual([expect.objectContaining({ Key: DELETED, VersionId: ctx.objectVersionId, IsLatest: false })]);
  });

  it('a client with the wrong secret is refused by the SDK\'s own request too', async () => {
    const wrong = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'wrong' } });
    try {
      const error = await failure(wrong.send(new PutObjectCommand({ Bucket: s3.bucket, Key: LIVE, Body: 'overwritten' })));
      expect(error.name).toBe('SignatureDoesNotMatch');
      expect(error.$metadata.httpStatusCode).toBe(403);
    } finally {
      wrong.destroy();
    }
    expect(await (await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: LIVE }))).Body!.transformToString()).toBe('live');
  });
});

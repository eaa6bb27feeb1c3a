import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { copyFixture, removeFixtures } from './project.js';
import { startConditionalWritesLayer, type S3rverStore, type WriteHold } from './s3-conditional-writes.js';
import { startSignatureGate } from './s3-signature.js';
import { startVersioningLayer } from './s3-versioning.js';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const require = createRequire(import.meta.url);
// s3rver is CommonJS; its account registry is how it learns key pairs beyond S3RVER/S3RVER.
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  store: S3rverStore;
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
};
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The environment variables foundation reads for this server. */
  env: Record<string, string>;
  /** Requests refused for their authentication (signature, key, time), as S3 refuses them. */
  authRefused(): number;
  /** Conditional PUTs the server refused with 412 (always 0 with conditionalWrites: false). */
  preconditionsRefused(): number;
  /** Every object write received so far, "PUT key" / "DELETE key" (needs conditionalWrites, the default). */
  writes(): string[];
  /** Holds PUTs to `key` until released (needs conditionalWrites, the default). */
  holdWrites(key: string): WriteHold;
  keys(prefix?: string): Promise<string[]>;
  read(key: string): Promise<string>;
  write(key: string, body: string): Promise<void>;
  remove(key: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver) on a loopback port with one bucket, behind thin
 * layers for what s3rver lacks. Outermost, a gate checks every SigV4 signature as S3 does
 * (tests/support/s3-signature.ts; s3rver only looks up the access key id), so a wrong
 * secret is refused. s3rver ignores If-None-Match; by default a layer honours conditional
 * writes as AWS, MinIO and RustFS do (tests/support/s3-conditional-writes.ts), so tofu's
 * lockfile really excludes. `conditionalWrites: false` leaves that out, a server that does
 * not. `versioning: true` adds bucket versioning (tests/support/s3-versioning.ts); without
 * it versioning reads as never enabled and cannot be turned on, as with s3rver. What the
 * layers enforce is listed in tests/support/s3-enforced.ts.
 */
export async function startLocalS3({
  accessKeyId = 'S3RVER',
  secretAccessKey = 'S3RVER',
  bucket = 'state',
  conditionalWrites = true,
  versioning = false,
} = {}): Promise<LocalS3> {
  if (accessKeyId !== 'S3RVER') DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
  const directory = mkdtempSync(path.join(tmpdir(), 'foundation-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port: s3rverPort } = await server.run();
  const layer = conditionalWrites ? await startConditionalWritesLayer(s3rverPort, server.store) : undefined;
  const versions = versioning ? await startVersioningLayer(layer?.port ?? s3rverPort) : undefined;
  const gate = await startSignatureGate(versions?.port ?? layer?.port ?? s3rverPort, new Map([[accessKeyId, secretAccessKey]]));
  const endpoint = `http://127.0.0.1:${gate.port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    env: {
      TOFU_BACKEND_S3_ENDPOINT: endpoint,
      TOFU_BACKEND_S3_BUCKET: bucket,
      TOFU_BACKEND_S3_ACCESS_KEY: accessKeyId,
      TOFU_BACKEND_S3_SECRET_KEY: secretAccessKey,
    },
    authRefused: () => gate.refused(),
    preconditionsRefused: () => layer?.refused() ?? 0,
    writes() {
      if (!layer) throw new Error('writes needs the conditional-writes layer (conditionalWrites: true)');
      return layer.writes();
    },
    holdWrites(key) {
      if (!layer) throw new Error('holdWrites needs the conditional-writes layer (conditionalWrites: true)');
      return layer.holdWrites(key);
    },
    async keys(prefix) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    async read(key) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return got.Body!.transformToString();
    },
    async write(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async stop() {
      client.destroy();
      await gate.close();
      await versions?.close();
      await layer?.close();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface S3Project {
  s3: LocalS3;
  /** A fresh copy of the fixture project. */
  dir: string;
  /** Backend variables for `s3` and ENV=dev. */
  env: Record<string, string>;
}

/** Registers hooks that start a local S3 server and copy a fixture project for the enclosing describe. */
export function useS3Project(fixture = 'basic', options: Parameters<typeof startLocalS3>[0] = {}): S3Project {
  const project = {} as S3Project;
  beforeAll(async () => {
    project.s3 = await startLocalS3(options);
    project.dir = copyFixture(fixture);
    project.env = { ...project.s3.env, ENV: 'dev' };
  });
  afterAll(async () => {
    await project.s3.stop();
    removeFixtures();
  });
  return project;
}

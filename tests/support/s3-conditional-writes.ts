// A thin HTTP layer in front of s3rver that honours S3 conditional writes, which s3rver
// ignores. OpenTofu's (and terraform's) `use_lockfile` takes the state lock with a PutObject
// carrying `If-None-Match: *`; without this layer two writers both "win" and no test can
// prove lock exclusivity. Behaviour follows AWS S3 (and MinIO / RustFS):
//   - PUT with `If-None-Match: *` on an existing key: 412 PreconditionFailed.
//   - PUT with `If-None-Match` set to anything but `*`: 501 NotImplemented, as AWS answers.
//   - PUT with `If-Match: <etag>`: 412 when the ETag differs, 404 NoSuchKey when no object.
// Writes to one key are serialised here, so the check and the write are atomic against every
// other write that goes through this layer (AWS answers a concurrent loser with 409
// ConditionalRequestConflict; serialising gives the same one-winner outcome, the loser a 412).
// Path-style addressing only (the backend files foundation writes set use_path_style).
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendError } from './s3-xml.js';

/** The part of s3rver's FilesystemStore this layer reads. */
export interface S3rverStore {
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<{ etag?: string }>;
}

/** A pause on PUTs to one key, so a test can act while a client waits on its write. */
export interface WriteHold {
  /** Resolves when a PUT to the key has arrived and is being held. */
  arrived: Promise<void>;
  /** Lets the held PUT (and later ones) through. */
  release(): void;
}

export interface ConditionalWritesLayer {
  port: number;
  /** Holds the next PUTs to `key` until released (tests of what a client does mid-write). */
  holdWrites(key: string): WriteHold;
  /** Conditional PUTs refused with 412, for tests that prove the layer was in play. */
  refused(): number;
  /** Every object write (PUT, DELETE, POST) received so far, in order: "PUT key". */
  writes(): string[];
  close(): Promise<void>;
}

/** `/bucket/some/key` → bucket and decoded key; undefined for bucket-level requests. */
function objectOf(url: string): { bucket: string; key: string } | undefined {
  const pathname = new URL(url, 'http://x').pathname;
  const match = /^\/([^/]+)\/(.+)$/.exec(pathname);
  return match ? { bucket: decodeURIComponent(match[1]!), key: decodeURIComponent(match[2]!) } : undefined;
}

/** Why a conditional PUT must be refused, or undefined when it may go ahead. */
async function refusal(
  store: S3rverStore,
  target: { bucket: string; key: string },
  headers: IncomingMessage['headers'],
): Promise<[number, string, string, Record<string, string>] | undefined> {
  const ifNoneMatch = headers['if-none-match'];
  const ifMatch = headers['if-match'];
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    return [501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: 'If-None-Match' }];
  }
  const exists = await store.existsObject(target.bucket, target.key);
  if (ifNoneMatch !== undefined && exists) {
    return [412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' }];
  }
  if (ifMatch !== undefined) {
    if (!exists) return [404, 'NoSuchKey', 'The specified key does not exist.', { Key: target.key }];
    const { etag } = await store.getMetadata(target.bucket, target.key);
    const wanted = ifMatch.split(',').map((v) => v.trim());
    if (!wanted.includes('*') && !wanted.includes(etag ?? '')) {
      return [412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' }];
    }
  }
  return undefined;
}

function forward(req: IncomingMessage, res: ServerResponse, upstreamPort: number, body: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const upstream = request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', resolve);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
      resolve();
    });
    upstream.end(body);
  });
}

export async function startConditionalWritesLayer(upstreamPort: number, store: S3rverStore): Promise<ConditionalWritesLayer> {
  const queues = new Map<string, Promise<void>>();
  const holds = new Map<string, { arrived: () => void; released: Promise<void> }>();
  let refused = 0;
  const written: string[] = [];

  /** Runs `work` after every earlier write to the same key has finished. */
  function serialised(id: string, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    queues.set(id, next);
    void next.finally(() => {
      if (queues.get(id) === next) queues.delete(id);
    });
    return next;
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = objectOf(req.url ?? '/');
      const writes = req.method === 'PUT' || req.method === 'DELETE' || req.method === 'POST';
      if (!target || !writes) return void forward(req, res, upstreamPort, body);
      written.push(`${req.method} ${target.key}`);
      void serialised(`${target.bucket}/${target.key}`, async () => {
        const hold = req.method === 'PUT' ? holds.get(target.key) : undefined;
        if (hold) {
          hold.arrived();
          await hold.released;
        }
        if (req.method === 'PUT') {
          const refuse = await refusal(store, target, req.headers);
          if (refuse) {
            if (refuse[0] === 412) refused += 1;
            return sendError(res, ...refuse);
          }
        }
        await forward(req, res, upstreamPort, body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    refused: () => refused,
    writes: () => [...written],
    holdWrites(key) {
      let arrived!: () => void;
      let release!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.set(key, { arrived, released });
      return {
        arrived: arrival,
        release: () => {
          holds.delete(key);
          release();
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

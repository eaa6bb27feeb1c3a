// Bucket versioning in front of s3rver, which has none (it answers a bare ?versioning GET
// with a bucket listing, which the SDK reads as "never enabled"). The upstream (s3rver, or
// the conditional-writes layer in front of it) keeps holding each key's current object;
// this layer keeps every version in memory and serves what AWS S3 serves for them:
//   GET/PUT /bucket?versioning              GetBucketVersioning / PutBucketVersioning
//   GET     /bucket?versions&prefix=...      ListObjectVersions (ListVersionsResult XML, paginated,
//                                            <Version> and <DeleteMarker> entries)
//   GET/HEAD /bucket/key?versionId=V         one version; 404 NoSuchVersion; a delete marker's
//                                            id: 405 MethodNotAllowed, x-amz-delete-marker: true
//   GET/HEAD /bucket/key                     a delete marker current: 404 NoSuchKey with
//                                            x-amz-delete-marker: true and the marker's version id
//   PUT     /bucket/key                      x-amz-version-id on the answer
//   DELETE  /bucket/key                      adds a delete marker (Enabled)
//   DELETE  /bucket/key?versionId=V          removes that version for good; the next one becomes current
// Authentication is the signature gate's, in front of this layer (tests/support/s3-signature.ts);
// tests/support/s3-enforced.ts lists the rules with a request that breaks each.
// Not modelled: the "null" version of objects written before versioning was enabled,
// MFA delete, object lock. Path-style addressing only.
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { send, sendError, sendXml, xmlEscape } from './s3-xml.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const OWNER = '<Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>S3rver</DisplayName></Owner>';

interface Version {
  key: string;
  versionId: string;
  lastModified: Date;
  deleteMarker: boolean;
  body?: Buffer;
  etag?: string;
  contentType?: string;
}

export interface VersioningLayer {
  port: number;
  close(): Promise<void>;
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function newVersionId(): string {
  return randomBytes(24).toString('base64url').slice(0, 32);
}

export async function startVersioningLayer(upstreamPort: number): Promise<VersioningLayer> {
  const status = new Map<string, 'Enabled' | 'Suspended'>();
  const history = new Map<string, Version[]>(); // "bucket/key" -> versions, newest first

  function upstream(method: string, path: string, headers: IncomingHttpHeaders, body?: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const forwarded = { ...headers };
      if (body !== undefined) forwarded['content-length'] = String(body.length);
      const req = request({ host: '127.0.0.1', port: upstreamPort, method, path, headers: forwarded }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }));
        answer.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  function relay(res: ServerResponse, answer: Upstream, extra: Record<string, string> = {}): void {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') headers[name] = String(value);
    }
    res.writeHead(answer.status, { ...headers, ...extra, 'content-length': answer.body.length });
    res.end(answer.body);
  }

  /** Whether the upstream has the bucket (a HEAD with the caller's credentials; the gate has checked them). */
  async function bucketExists(bucket: string, headers: IncomingHttpHeaders): Promise<boolean> {
    const { 'content-length': _l, 'content-type': _t, 'content-md5': _m, ...auth } = headers;
    return (await upstream('HEAD', `/${encodeURIComponent(bucket)}`, auth)).status !== 404;
  }

  function versionsOf(bucket: string, key: string): Version[] {
    const id = `${bucket}/${key}`;
    if (!history.has(id)) history.set(id, []);
    return history.get(id)!;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://s3');
    // `/bucket/` (the SDK's bucket-level form) is the bucket, like `/bucket`.
    const match = /^\/([^/]+)(?:\/(.+))?\/?$/.exec(url.pathname.replace(/^(\/[^/]+)\/$/, '$1'));
    if (!match) return void relay(res, await upstream(req.method!, req.url!, req.headers, body));
    const bucket = decodeURIComponent(match[1]!);
    const key = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
    const q = url.searchParams;
    const method = req.method!;

    if (key === undefined && (q.has('versioning') || (q.has('versions') && method === 'GET')) && !(await bucketExists(bucket, req.headers))) {
      return sendError(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
    }

    if (key === undefined && q.has('versioning')) {
      if (method === 'GET') {
        const current = status.get(bucket);
        return sendXml(res, 200, current ? `<VersioningConfiguration xmlns="${NS}"><Status>${current}</Status></VersioningConfiguration>` : `<VersioningConfiguration xmlns="${NS}"/>`);
      }
      if (method === 'PUT') {
        const wanted = /<Status>\s*([^<]*?)\s*<\/Status>/.exec(body.toString('utf8'))?.[1];
        if (!/<VersioningConfiguration[\s>]/.test(body.toString('utf8')) || (wanted !== 'Enabled' && wanted !== 'Suspended')) {
          return sendError(res, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
        }
        status.set(bucket, wanted);
        return send(res, 200, {});
      }
    }

    if (key === undefined && q.has('versions') && method === 'GET') {
      return listVersions(res, bucket, q);
    }

    if (key === undefined || !status.has(bucket)) return void relay(res, await upstream(method, req.url!, req.headers, body));
    const versions = versionsOf(bucket, key);
    const versionId = q.get('versionId');

    if ((method === 'GET' || method === 'HEAD') && versionId !== null) {
      const version = versions.find((v) => v.versionId === versionId);
      if (!version) return sendError(res, 404, 'NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId });
      if (version.deleteMarker) {
        return sendError(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', { Method: method, ResourceType: 'DeleteMarker' }, {
          'x-amz-delete-marker': 'true',
          'x-amz-version-id': version.versionId,
          'last-modified': version.lastModified.toUTCString(),
        });
      }
      const headers = {
        'content-type': version.contentType ?? 'binary/octet-stream',
        etag: version.etag ?? '',
        'last-modified': version.lastModified.toUTCString(),
        'x-amz-version-id': version.versionId,
      };
      res.writeHead(200, { ...headers, 'content-length': version.body!.length });
      return void res.end(method === 'HEAD' ? undefined : version.body);
    }

    if (method === 'GET' || method === 'HEAD') {
      const latest = versions[0];
      if (latest?.deleteMarker) {
        return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.', { Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': latest.versionId });
      }
      const answer = await upstream(method, req.url!, req.headers, body);
      return relay(res, answer, answer.status === 200 && latest ? { 'x-amz-version-id': latest.versionId } : {});
    }

    if (method === 'PUT' && !q.has('tagging') && !q.has('acl') && !req.headers['x-amz-copy-source']) {
      const answer = await upstream(method, req.url!, req.headers, body);
      if (answer.status !== 200) return relay(res, answer);
      const id = status.get(bucket) === 'Enabled' ? newVersionId() : 'null';
      if (id === 'null') versions.splice(0, versions.length, ...versions.filter((v) => v.versionId !== 'null'));
      versions.unshift({ key, versionId: id, lastModified: new Date(), deleteMarker: false, body, etag: String(answer.headers.etag ?? ''), contentType: req.headers['content-type'] });
      return relay(res, answer, { 'x-amz-version-id': id });
    }

    if (method === 'DELETE' && versionId === null) {
      const answer = await upstream(method, req.url!, req.headers, body);
      if (answer.status !== 204 && answer.status !== 200) return relay(res, answer);
      const id = status.get(bucket) === 'Enabled' ? newVersionId() : 'null';
      versions.unshift({ key, versionId: id, lastModified: new Date(), deleteMarker: true });
      return send(res, 204, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': id });
    }

    if (method === 'DELETE') {
      const index = versions.findIndex((v) => v.versionId === versionId);
      // Deleting a version that does not exist succeeds on AWS too.
      if (index === -1) return send(res, 204, { 'x-amz-version-id': versionId! });
      const [removed] = versions.splice(index, 1);
      if (index === 0) await promoteNext(bucket, key, versions, req.headers);
      return send(res, 204, { 'x-amz-version-id': removed!.versionId, ...(removed!.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}) });
    }

    return void relay(res, await upstream(method, req.url!, req.headers, body));
  }

  /** After the current version is removed, the next one is the object GET returns (none after a delete marker). */
  async function promoteNext(bucket: string, key: string, versions: Version[], headers: IncomingHttpHeaders): Promise<void> {
    const { 'content-length': _l, 'content-md5': _m, 'if-none-match': _n, 'if-match': _i, 'x-amz-content-sha256': _s, ...auth } = headers;
    const path = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const next = versions[0];
    if (!next || next.deleteMarker) {
      await upstream('DELETE', path, auth);
      return;
    }
    await upstream('PUT', path, { ...auth, 'content-type': next.contentType ?? 'binary/octet-stream', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, next.body);
  }

  function listVersions(res: ServerResponse, bucket: string, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const keyMarker = q.get('key-marker') ?? '';
    const versionIdMarker = q.get('version-id-marker') ?? '';
    const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000) || 1000, 1000);
    const all: Version[] = [];
    for (const [id, versions] of [...history.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!id.startsWith(`${bucket}/`)) continue;
      const key = id.slice(bucket.length + 1);
      if (key.startsWith(prefix)) all.push(...versions);
    }
    let start = 0;
    if (keyMarker) {
      start = all.findIndex((v) => (versionIdMarker ? v.key === keyMarker && v.versionId === versionIdMarker : v.key > keyMarker));
      start = start === -1 ? all.length : versionIdMarker ? start + 1 : start;
    }
    const page = all.slice(start, start + maxKeys);
    const truncated = start + maxKeys < all.length;
    const last = page[page.length - 1];
    const entries = page
      .map((v) => {
        const latest = history.get(`${bucket}/${v.key}`)![0] === v;
        const common = `<Key>${xmlEscape(v.key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified>`;
        return v.deleteMarker
          ? `<DeleteMarker>${common}${OWNER}</DeleteMarker>`
          : `<Version>${common}<ETag>${xmlEscape(v.etag ?? '')}</ETag><Size>${v.body!.length}</Size><StorageClass>STANDARD</StorageClass>${OWNER}</Version>`;
      })
      .join('');
    const next = truncated && last ? `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.versionId}</NextVersionIdMarker>` : '';
    sendXml(
      res,
      200,
      `<ListVersionsResult xmlns="${NS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyMarker>${xmlEscape(keyMarker)}</KeyMarker>` +
        `<VersionIdMarker>${xmlEscape(versionIdMarker)}</VersionIdMarker>${next}<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${entries}</ListVersionsResult>`,
    );
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: Error) => {
        if (!res.headersSent) sendError(res, 500, 'InternalError', xmlEscape(error.message));
        else res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

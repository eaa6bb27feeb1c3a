// What the test S3 server refuses, rule by rule, with the answer S3 gives. The layers in
// front of s3rver (tests/support/s3.ts) enforce them: the signature gate (s3-signature.ts),
// bucket versioning (s3-versioning.ts) and conditional writes (s3-conditional-writes.ts).
// tests/integration/s3-enforced.test.ts sends each rule's request, signed by the AWS SDK's
// own SigV4 signer (@smithy/signature-v4), and checks the status, the error code and the
// headers. Sources: docs.aws.amazon.com/AmazonS3/latest/API (sig-v4-authenticating-requests,
// sigv4-query-string-auth, ErrorResponses, DeletingObjectVersions, conditional-requests),
// the error table of minio/minio (cmd/api-errors.go) for wordings AWS does not document.
// What the layers answer besides refusals (ListObjectVersions listing <DeleteMarker> entries,
// the version before a marker still readable by its id) is checked in the same test file.
// Adding a rule to a layer: add it here with a request that breaks it.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_SKEW_MS } from './s3-signature.js';

/** The state the rules' requests work on, seeded by the test. */
export interface S3RuleContext {
  bucket: string;
  /** A key whose current version is a delete marker, with an object version before it. */
  deletedKey: string;
  markerVersionId: string;
  objectVersionId: string;
  /** A key with a current object (ETag `etag`). */
  liveKey: string;
  etag: string;
  send(req: SignedRequest): Promise<RawAnswer>;
}

export interface SignedRequest {
  method: string;
  /** Default: the server's bucket. */
  bucket?: string;
  key?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** Credentials and region to sign with (default: the server's). */
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  signingDate?: Date;
  /** Presign (query-string authentication) instead of the Authorization header. */
  presign?: { expiresIn: number };
  /** Do not sign at all (anonymous). */
  anonymous?: boolean;
  /** Changes the request after it was signed (what a proxy or an attacker would do). */
  tamper?(signed: { path: string; query: Record<string, string>; headers: Record<string, string>; body: string }): void;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface EnforcedS3Rule {
  rule: string;
  status: number;
  /** The error's <Code> (for HEAD, which has no body, checked through x-amz-error-code). */
  code: string;
  /** The error's <Message>, where it is fixed. */
  message?: string;
  /** Headers the answer must carry. */
  headers?: Record<string, string>;
  /** Elements of the error document that must be there (e.g. HeadersNotSigned). */
  details?: Record<string, string | RegExp>;
  send(ctx: S3RuleContext): Promise<RawAnswer>;
}

const SIGNATURE_MESSAGE = 'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export const ENFORCED_S3_RULES: EnforcedS3Rule[] = [
  // --- SigV4 authentication (the signature gate) ---
  {
    rule: 'an anonymous request: the bucket is private',
    status: 403,
    code: 'AccessDenied',
    message: 'Access Denied',
    send: (c) => c.send({ method: 'GET', key: c.liveKey, anonymous: true }),
  },
  {
    rule: 'an access key the server does not know',
    status: 403,
    code: 'InvalidAccessKeyId',
    message: 'The AWS Access Key Id you provided does not exist in our records.',
    details: { AWSAccessKeyId: 'AKIANOBODY0000000000' },
    send: (c) => c.send({ method: 'GET', key: c.liveKey, accessKeyId: 'AKIANOBODY0000000000' }),
  },
  {
    rule: 'a known access key signed with the wrong secret',
    status: 403,
    code: 'SignatureDoesNotMatch',
    message: SIGNATURE_MESSAGE,
    details: { StringToSign: /^AWS4-HMAC-SHA256\n/, CanonicalRequest: /^GET\n/ },
    send: (c) => c.send({ method: 'GET', key: c.liveKey, secretAccessKey: 'not-the-secret' }),
  },
  {
    rule: 'wrong secret on a write: nothing is stored',
    status: 403,
    code: 'SignatureDoesNotMatch',
    send: (c) => c.send({ method: 'PUT', key: c.liveKey, body: 'overwritten', secretAccessKey: 'not-the-secret' }),
  },
  {
    rule: 'the key (path) changed after signing',
    status: 403,
    code: 'SignatureDoesNotMatch',
    send: (c) => c.send({ method: 'GET', key: c.liveKey, tamper: (r) => void (r.path = `${r.path}.other`) }),
  },
  {
    rule: 'a query parameter added after signing (versionId)',
    status: 403,
    code: 'SignatureDoesNotMatch',
    send: (c) => c.send({ method: 'GET', key: c.deletedKey, tamper: (r) => void (r.query.versionId = c.objectVersionId) }),
  },
  {
    rule: 'a signed header changed after signing',
    status: 403,
    code: 'SignatureDoesNotMatch',
    send: (c) => c.send({ method: 'PUT', key: c.liveKey, body: 'x', headers: { 'content-type': 'application/json' }, tamper: (r) => void (r.headers['content-type'] = 'text/plain') }),
  },
  {
    rule: 'an x-amz-* header that is not signed',
    status: 403,
    code: 'AccessDenied',
    message: 'There were headers present in the request which were not signed',
    details: { HeadersNotSigned: 'x-amz-meta-added' },
    send: (c) => c.send({ method: 'GET', key: c.liveKey, tamper: (r) => void (r.headers['x-amz-meta-added'] = 'yes') }),
  },
  {
    rule: 'a body that is not the one whose SHA-256 was signed',
    status: 400,
    code: 'XAmzContentSHA256Mismatch',
    message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    details: { S3ComputedContentSHA256: createHash('sha256').update('swapped').digest('hex') },
    send: (c) => c.send({ method: 'PUT', key: c.liveKey, body: 'signed', tamper: (r) => void (r.body = 'swapped') }),
  },
  {
    rule: 'no x-amz-content-sha256 header',
    status: 400,
    code: 'InvalidRequest',
    message: 'Missing required header for this request: x-amz-content-sha256',
    send: (c) => c.send({ method: 'GET', key: c.liveKey, tamper: (r) => void delete r.headers['x-amz-content-sha256'] }),
  },
  {
    rule: 'signed more than 15 minutes before the server time',
    status: 403,
    code: 'RequestTimeTooSkewed',
    message: 'The difference between the request time and the current time is too large.',
    details: { MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) },
    send: (c) => c.send({ method: 'GET', key: c.liveKey, signingDate: new Date(Date.now() - MAX_SKEW_MS - 60_000) }),
  },
  {
    rule: 'signed for another region',
    status: 400,
    code: 'AuthorizationHeaderMalformed',
    message: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
    details: { Region: 'us-east-1' },
    send: (c) => c.send({ method: 'GET', key: c.liveKey, region: 'eu-west-1' }),
  },
  {
    rule: 'a presigned URL past its expiry',
    status: 403,
    code: 'AccessDenied',
    message: 'Request has expired',
    send: (c) => c.send({ method: 'GET', key: c.liveKey, presign: { expiresIn: 60 }, signingDate: new Date(Date.now() - 120_000) }),
  },
  {
    rule: 'a presigned URL for another key',
    status: 403,
    code: 'SignatureDoesNotMatch',
    send: (c) => c.send({ method: 'GET', key: c.liveKey, presign: { expiresIn: 60 }, tamper: (r) => void (r.path = `${r.path}.other`) }),
  },
  // --- Versioning and delete markers (the versioning layer) ---
  {
    rule: "GET of a delete marker's version id",
    status: 405,
    code: 'MethodNotAllowed',
    message: 'The specified method is not allowed against this resource.',
    headers: { 'x-amz-delete-marker': 'true' },
    details: { Method: 'GET', ResourceType: 'DeleteMarker' },
    send: (c) => c.send({ method: 'GET', key: c.deletedKey, query: { versionId: c.markerVersionId } }),
  },
  {
    rule: "HEAD of a delete marker's version id",
    status: 405,
    code: 'MethodNotAllowed',
    headers: { 'x-amz-delete-marker': 'true' },
    send: (c) => c.send({ method: 'HEAD', key: c.deletedKey, query: { versionId: c.markerVersionId } }),
  },
  {
    rule: 'GET without a version id when the current version is a delete marker',
    status: 404,
    code: 'NoSuchKey',
    message: 'The specified key does not exist.',
    headers: { 'x-amz-delete-marker': 'true' },
    send: (c) => c.send({ method: 'GET', key: c.deletedKey }),
  },
  {
    rule: 'HEAD without a version id when the current version is a delete marker',
    status: 404,
    code: 'NoSuchKey',
    headers: { 'x-amz-delete-marker': 'true' },
    send: (c) => c.send({ method: 'HEAD', key: c.deletedKey }),
  },
  {
    rule: 'a version id the key never had',
    status: 404,
    code: 'NoSuchVersion',
    message: 'The specified version does not exist.',
    send: (c) => c.send({ method: 'GET', key: c.deletedKey, query: { versionId: 'nosuchversionnosuchversion000000' } }),
  },
  {
    rule: 'GetBucketVersioning of a bucket that does not exist',
    status: 404,
    code: 'NoSuchBucket',
    message: 'The specified bucket does not exist',
    send: (c) => c.send({ method: 'GET', bucket: 'no-such-bucket', query: { versioning: '' } }),
  },
  {
    rule: 'PutBucketVersioning with a status other than Enabled or Suspended',
    status: 400,
    code: 'MalformedXML',
    send: (c) => c.send({ method: 'PUT', query: { versioning: '' }, body: '<VersioningConfiguration><Status>On</Status></VersioningConfiguration>' }),
  },
  // --- Conditional writes (the conditional-writes layer) ---
  {
    rule: 'If-None-Match: * on a key that exists',
    status: 412,
    code: 'PreconditionFailed',
    message: 'At least one of the pre-conditions you specified did not hold',
    details: { Condition: 'If-None-Match' },
    send: (c) => c.send({ method: 'PUT', key: c.liveKey, body: 'second', headers: { 'if-none-match': '*' } }),
  },
  {
    rule: 'If-None-Match with an ETag on PutObject',
    status: 501,
    code: 'NotImplemented',
    send: (c) => c.send({ method: 'PUT', key: c.liveKey, body: 'x', headers: { 'if-none-match': c.etag } }),
  },
  {
    rule: 'If-Match with an ETag that is not the current one',
    status: 412,
    code: 'PreconditionFailed',
    details: { Condition: 'If-Match' },
    send: (c) => c.send({ method: 'PUT', key: c.liveKey, body: 'x', headers: { 'if-match': '"00000000000000000000000000000000"' } }),
  },
  {
    rule: 'If-Match on a key whose current version is a delete marker',
    status: 404,
    code: 'NoSuchKey',
    send: (c) => c.send({ method: 'PUT', key: c.deletedKey, body: 'x', headers: { 'if-match': c.etag } }),
  },
];

/** The hash the SDK's signer asks for (its Checksum interface), on node:crypto. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Sends one request to the server at `port`, signed as the SDK signs (unless anonymous), then tampered with. */
export async function sendSigned(port: number, server: { bucket: string; accessKeyId: string; secretAccessKey: string }, req: SignedRequest): Promise<RawAnswer> {
  const path = `/${encode(req.bucket ?? server.bucket)}${req.key === undefined ? '' : `/${req.key.split('/').map(encode).join('/')}`}`;
  const body = req.body ?? '';
  const unsigned = {
    method: req.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port,
    path,
    query: { ...req.query },
    headers: { host: `127.0.0.1:${port}`, ...req.headers } as Record<string, string>,
    body,
  };
  let signed = unsigned;
  if (!req.anonymous) {
    const signer = new SignatureV4({
      credentials: { accessKeyId: req.accessKeyId ?? server.accessKeyId, secretAccessKey: req.secretAccessKey ?? server.secretAccessKey },
      region: req.region ?? 'us-east-1',
      service: 's3',
      sha256: NodeSha256 as never,
      uriEscapePath: false,
      applyChecksum: true,
    });
    if (req.presign) {
      unsigned.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD'; // as the SDK's S3 presigner does
      signed = (await signer.presign(unsigned as never, { expiresIn: req.presign.expiresIn, signingDate: req.signingDate })) as never;
    } else {
      unsigned.headers['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
      signed = (await signer.sign(unsigned as never, { signingDate: req.signingDate })) as never;
    }
  }
  const parts = { path: signed.path, query: { ...(signed.query as Record<string, string>) }, headers: { ...signed.headers }, body };
  req.tamper?.(parts);
  const query = Object.entries(parts.query).map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: req.method, path: `${parts.path}${query ? `?${query}` : ''}`, headers: { ...parts.headers, 'content-length': String(Buffer.byteLength(parts.body)) } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => resolve({ status: answer.statusCode ?? 0, headers: answer.headers, body: Buffer.concat(chunks).toString('utf8') }));
        answer.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(parts.body);
  });
}

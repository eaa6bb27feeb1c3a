// AWS Signature Version 4 checking in front of the test S3 server: s3rver looks up the
// access key of a V4 request but never checks its signature, so a wrong secret would pass.
// This gate recomputes every signature as S3 does (canonical request, string to sign,
// signing key; docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html,
// the canonical URI and query rebuilt from the decoded request as MinIO does) and answers
// what S3 answers before the request reaches any other layer. The rules are listed, with
// a request that breaks each, in tests/support/s3-enforced.ts.
// Signature V2 requests pass through (s3rver checks those itself). Streaming (aws-chunked)
// payloads are refused with 501: no client here sends them, and no layer behind could read them.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listenOnLoopback } from './loopback.js';
import { sendError } from './s3-xml.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3 refuses a request signed more than 15 minutes from its clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;
const EMPTY_SHA256 = createHash('sha256').digest('hex');

export interface SignatureGate {
  port: number;
  /** Requests refused here, for tests that prove the gate was in play. */
  refused(): number;
  close(): Promise<void>;
}

/** An S3 error answer: status, code, message, the XML's extra elements. */
export type S3Refusal = [number, string, string, Record<string, string>];

interface Signed {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  /** Query parameters that are not part of the canonical query (the presigned signature). */
  skipQuery?: string;
  expiresSeconds?: number;
}

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ escaped. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The decoded query of a raw request target, `+` read as a space (as Go's url.ParseQuery does). */
function queryPairs(rawQuery: string): Array<[string, string]> {
  if (!rawQuery) return [];
  return rawQuery.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return eq === -1 ? [decode(part), ''] : [decode(part.slice(0, eq)), decode(part.slice(eq + 1))];
  });
}

export function canonicalRequest(method: string, target: string, headers: IncomingHttpHeaders, signed: Pick<Signed, 'signedHeaders' | 'payloadHash' | 'skipQuery'>): string {
  const [rawPath = '/', rawQuery = ''] = target.split('?', 2) as [string, string?];
  const path = rawPath.split('/').map((segment) => uriEncode(decodeURIComponent(segment))).join('/');
  const query = queryPairs(rawQuery)
    .filter(([name]) => name !== signed.skipQuery)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = signed.signedHeaders.map((name) => {
    const value = headers[name];
    const text = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
  });
  return [method, path, query, canonicalHeaders.join(''), signed.signedHeaders.join(';'), signed.payloadHash].join('\n');
}

function parseAuthorization(header: string, headers: IncomingHttpHeaders): Signed | S3Refusal {
  const rest = header.slice(ALGORITHM.length).trim();
  const fields = new Map(rest.split(/\s*,\s*/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const));
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential) return [400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; missing Credential.', {}];
  if (!signedHeaders) return [400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; missing SignedHeaders.', {}];
  if (!signature) return [400, 'AuthorizationHeaderMalformed', 'The authorization header is malformed; missing Signature.', {}];
  const parts = credential.split('/');
  if (parts.length !== 5) {
    return [400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the Credential is mal-formed; expecting "&lt;YOUR-AKID&gt;/YYYYMMDD/REGION/SERVICE/aws4_request".`, {}];
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  const payloadHash = headers['x-amz-content-sha256'];
  if (typeof payloadHash !== 'string') return [400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', {}];
  const amzDate = typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : '';
  return { accessKeyId, date, region, service, terminator, signedHeaders: signedHeaders.split(';'), signature, amzDate, payloadHash };
}

function parsePresigned(query: URLSearchParams): Signed | S3Refusal {
  const required = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];
  if (required.some((name) => !query.get(name))) {
    return [400, 'AuthorizationQueryParametersError', 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.', {}];
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) return [400, 'AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', {}];
  const parts = query.get('X-Amz-Credential')!.split('/');
  if (parts.length !== 5) {
    return [400, 'AuthorizationQueryParametersError', 'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "&lt;YOUR-AKID&gt;/YYYYMMDD/REGION/SERVICE/aws4_request".', {}];
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  const expires = Number(query.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 0) return [400, 'AuthorizationQueryParametersError', 'X-Amz-Expires should be a number', {}];
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: query.get('X-Amz-SignedHeaders')!.split(';'),
    signature: query.get('X-Amz-Signature')!,
    amzDate: query.get('X-Amz-Date')!,
    payloadHash: 'UNSIGNED-PAYLOAD', // a presigned URL never signs its payload
    skipQuery: 'X-Amz-Signature',
    expiresSeconds: expires,
  };
}

/** 20260101T120000Z -> epoch ms, or NaN. */
function amzTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Why S3 would refuse this request's authentication, or undefined when its V4 signature
 * holds. `undefined` too for a V2 signature (s3rver checks those).
 */
export function signatureRefusal(
  req: { method: string; url: string; headers: IncomingHttpHeaders },
  body: Buffer,
  secrets: ReadonlyMap<string, string>,
  region: string,
  now = Date.now(),
): S3Refusal | undefined {
  const authorization = req.headers.authorization;
  const query = new URL(req.url, 'http://s3').searchParams;
  if (typeof authorization === 'string' && authorization.startsWith('AWS ')) return undefined;
  if (typeof authorization === 'string' && query.has('X-Amz-Algorithm')) {
    return [400, 'InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', { ArgumentName: 'Authorization' }];
  }
  let signed: Signed | S3Refusal;
  if (typeof authorization === 'string') {
    if (!authorization.startsWith(`${ALGORITHM} `)) return [400, 'InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: authorization.split(' ')[0]! }];
    signed = parseAuthorization(authorization, req.headers);
  } else if (query.has('X-Amz-Algorithm')) {
    signed = parsePresigned(query);
  } else {
    // Anonymous: the state bucket is private.
    return [403, 'AccessDenied', 'Access Denied', {}];
  }
  if (Array.isArray(signed)) return signed;

  const secret = secrets.get(signed.accessKeyId);
  if (secret === undefined) return [403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: signed.accessKeyId }];
  if (signed.region !== region) {
    return [400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; the region '${signed.region}' is wrong; expecting '${region}'`, { Region: region }];
  }
  if (signed.service !== 's3') return [400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect service "${signed.service}". This endpoint belongs to "s3".`, {}];
  if (signed.terminator !== 'aws4_request') return [400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; incorrect terminal "${signed.terminator}". This endpoint uses "aws4_request".`, {}];
  const requestTime = amzTime(signed.amzDate);
  if (Number.isNaN(requestTime)) return [403, 'AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header', {}];
  if (signed.amzDate.slice(0, 8) !== signed.date) {
    return [400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; Invalid credential date "${signed.date}". This date is not the same as X-Amz-Date: "${signed.amzDate.slice(0, 8)}".`, {}];
  }
  if (signed.expiresSeconds !== undefined) {
    if (now > requestTime + signed.expiresSeconds * 1000) {
      return [403, 'AccessDenied', 'Request has expired', { 'X-Amz-Expires': String(signed.expiresSeconds), Expires: isoSeconds(requestTime + signed.expiresSeconds * 1000), ServerTime: isoSeconds(now) }];
    }
  } else if (Math.abs(now - requestTime) > MAX_SKEW_MS) {
    return [403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', { RequestTime: signed.amzDate, ServerTime: isoSeconds(now), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) }];
  }
  // Every x-amz-* header, and Host, must be part of the signature.
  const unsigned = Object.keys(req.headers).filter((name) => (name === 'host' || name.startsWith('x-amz-')) && !signed.signedHeaders.includes(name));
  if (unsigned.length > 0) return [403, 'AccessDenied', 'There were headers present in the request which were not signed', { HeadersNotSigned: unsigned.join(', ') }];
  if (signed.payloadHash.startsWith('STREAMING-')) {
    return [501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', { Header: 'x-amz-content-sha256' }];
  }
  if (signed.payloadHash !== 'UNSIGNED-PAYLOAD') {
    const computed = body.length === 0 ? EMPTY_SHA256 : sha256(body);
    if (signed.payloadHash !== computed) {
      return [400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", { ClientComputedContentSHA256: signed.payloadHash, S3ComputedContentSHA256: computed }];
    }
  }

  const canonical = canonicalRequest(req.method, req.url, req.headers, signed);
  const scope = `${signed.date}/${signed.region}/${signed.service}/${signed.terminator}`;
  const stringToSign = [ALGORITHM, signed.amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, signed.date), signed.region), signed.service), signed.terminator);
  const expected = hmac(key, stringToSign).toString('hex');
  const provided = Buffer.from(signed.signature);
  if (provided.length !== expected.length || !timingSafeEqual(provided, Buffer.from(expected))) {
    const bytes = (text: string) => Buffer.from(text).toString('hex').replace(/(..)(?!$)/g, '$1 ');
    return [
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      { AWSAccessKeyId: signed.accessKeyId, StringToSign: stringToSign, SignatureProvided: signed.signature, StringToSignBytes: bytes(stringToSign), CanonicalRequest: canonical, CanonicalRequestBytes: bytes(canonical) },
    ];
  }
  return undefined;
}

function forward(req: IncomingMessage, res: ServerResponse, upstreamPort: number, body: Buffer): void {
  const upstream = request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (!res.headersSent) sendError(res, 500, 'InternalError', 'We encountered an internal error. Please try again.', { Detail: error.message });
    else res.end();
  });
  upstream.end(body);
}

/** Starts the gate on a loopback port, in front of `upstreamPort`; `secrets` maps access key ids to secret keys. */
export async function startSignatureGate(upstreamPort: number, secrets: ReadonlyMap<string, string>, region = 'us-east-1'): Promise<SignatureGate> {
  let refused = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let refusal: S3Refusal | undefined;
      try {
        refusal = signatureRefusal({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, body, secrets, region);
      } catch {
        refusal = [400, 'InvalidURI', "Couldn't parse the specified URI.", {}]; // a malformed %-escape
      }
      if (!refusal) return forward(req, res, upstreamPort, body);
      refused += 1;
      sendError(res, ...refusal);
    });
  });
  await listenOnLoopback(server);
  return { port: (server.address() as AddressInfo).port, refused: () => refused, close: () => closeServer(server) };
}

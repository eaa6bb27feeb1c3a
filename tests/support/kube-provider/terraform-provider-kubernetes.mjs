#!/usr/bin/env node
// A stand-in for the hashicorp/kubernetes provider, for plans of stacks whose state holds
// kubernetes_config_map_v1 resources (no real provider can be downloaded here). It speaks
// what terraform and tofu speak to any provider: go-plugin's handshake line on stdout,
// then gRPC (plugin protocol 6) over HTTP/2 with automatic mutual TLS.
//
// Served: GetMetadata, GetProviderSchema (the real provider's schema of
// kubernetes_config_map_v1 and a provider block of config_path/config_context),
// the Validate* calls, UpgradeResourceState, ConfigureProvider, ReadResource,
// PlanResourceChange, StopProvider, and go-plugin's Controller.Shutdown.
// Planning keeps the zero values state recorded for attributes the config leaves unset
// ("" / false / {}), as the SDKv2 provider's diff does.
// KUBE_PROVIDER_HOLD holds planning for tests (holdIfAsked below).
// Not served: ApplyResourceChange answers with an error (tests put states in S3 directly),
// ReadResource returns the recorded state (it does not read the cluster, so with it a
// plan never sees a live edit; the real provider's refresh would), imports, data sources.
//
// Enforced, with the real provider's messages:
// - TF_PLUGIN_MAGIC_COOKIE must be terraform's, and protocol 6 among PLUGIN_PROTOCOL_VERSIONS;
// - metadata.0.name and metadata.0.namespace are DNS-1123 (subdomain, label);
// - ConfigMap data and binary_data keys are valid ConfigMap keys.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

const MAGIC = ['TF_PLUGIN_MAGIC_COOKIE', 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2'];
if (process.env[MAGIC[0]] !== MAGIC[1]) {
  process.stderr.write('This binary is a plugin. These are not meant to be executed directly.\nPlease execute the program that consumes these plugins, which will\nload any plugins automatically\n');
  process.exit(1);
}
const versions = (process.env.PLUGIN_PROTOCOL_VERSIONS ?? '6').split(',');
if (!versions.includes('6')) {
  process.stderr.write(`Incompatible API version with plugin. Plugin version: 6, Client versions: ${versions.join(', ')}\n`);
  process.exit(1);
}

// ---- protobuf, the little of it the calls below need ----
function readVarint(buf, at) {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    const byte = buf[at++];
    value |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [value, at];
  }
}
/** Field number -> raw values (Buffer for length-delimited, bigint for varint). */
function decode(buf) {
  const fields = new Map();
  for (let at = 0; at < buf.length; ) {
    const [key, next] = readVarint(buf, at);
    at = next;
    const no = Number(key >> 3n);
    let value;
    switch (Number(key & 7n)) {
      case 0: [value, at] = readVarint(buf, at); break;
      case 1: value = buf.subarray(at, at + 8); at += 8; break;
      case 2: { const [len, start] = readVarint(buf, at); value = buf.subarray(start, start + Number(len)); at = start + Number(len); break; }
      case 5: value = buf.subarray(at, at + 4); at += 4; break;
      default: throw new Error(`protobuf: wire type ${key & 7n}`);
    }
    fields.set(no, [...(fields.get(no) ?? []), value]);
  }
  return fields;
}
const first = (fields, no) => fields.get(no)?.[0];
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
}
const bytes = (no, value) => (value === undefined ? Buffer.alloc(0) : Buffer.concat([varint((no << 3) | 2), varint(value.length), value]));
const str = (no, text) => bytes(no, Buffer.from(text));
const num = (no, n) => (n ? Buffer.concat([varint(no << 3), varint(n)]) : Buffer.alloc(0));
const msg = (...parts) => Buffer.concat(parts);

// ---- msgpack, read only: the config terraform sends, for validation ----
const UNKNOWN = Symbol('unknown');
function unpack(buf) {
  let at = 0;
  const u = (n) => { const v = buf.readUIntBE(at, n); at += n; return v; };
  const text = (n) => { const s = buf.toString('utf8', at, at + n); at += n; return s; };
  const list = (n) => Array.from({ length: n }, () => value());
  const map = (n) => Object.fromEntries(Array.from({ length: n }, () => [value(), value()]));
  const value = () => {
    const t = buf[at++];
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return list(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return text(t & 0x1f);
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: case 0xc5: case 0xc6: { const n = u(1 << (t - 0xc4)); at += n; return buf.subarray(at - n, at); }
      case 0xca: at += 4; return buf.readFloatBE(at - 4);
      case 0xcb: at += 8; return buf.readDoubleBE(at - 8);
      case 0xcc: case 0xcd: case 0xce: return u(1 << (t - 0xcc));
      case 0xcf: at += 8; return Number(buf.readBigUInt64BE(at - 8));
      case 0xd0: at += 1; return buf.readInt8(at - 1);
      case 0xd1: at += 2; return buf.readInt16BE(at - 2);
      case 0xd2: at += 4; return buf.readInt32BE(at - 4);
      case 0xd3: at += 8; return Number(buf.readBigInt64BE(at - 8));
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: at += 1 + (1 << (t - 0xd4)); return UNKNOWN; // cty's unknown value is an extension
      case 0xc7: case 0xc8: case 0xc9: { const n = u(1 << (t - 0xc7)); at += 1 + n; return UNKNOWN; }
      case 0xd9: case 0xda: case 0xdb: return text(u(1 << (t - 0xd9)));
      case 0xdc: case 0xdd: return list(u(2 << (t - 0xdc)));
      case 0xde: case 0xdf: return map(u(2 << (t - 0xde)));
      default: throw new Error(`msgpack: type 0x${t.toString(16)}`);
    }
  };
  return value();
}

// ---- the schema: the real provider's kubernetes_config_map_v1 (v2.38) ----
const NESTING_LIST = 2;
const attribute = (name, type, { required, optional, computed, sensitive, description = '' } = {}) =>
  msg(str(1, name), bytes(2, Buffer.from(JSON.stringify(type))), description ? str(3, description) : Buffer.alloc(0), num(4, required ? 1 : 0), num(5, optional ? 1 : 0), num(6, computed ? 1 : 0), num(7, sensitive ? 1 : 0));
const block = (attributes, nested = []) => msg(...attributes.map((a) => bytes(2, a)), ...nested.map((b) => bytes(3, b)));
const nestedBlock = (name, inner, { min = 0, max = 0 } = {}) => msg(str(1, name), bytes(2, inner), num(3, NESTING_LIST), num(4, min), num(5, max));
const schema = (inner) => msg(num(1, 0), bytes(2, inner));
const STRING_MAP = ['map', 'string'];

const METADATA = block([
  attribute('annotations', STRING_MAP, { optional: true }),
  attribute('generate_name', 'string', { optional: true }),
  attribute('generation', 'number', { computed: true }),
  attribute('labels', STRING_MAP, { optional: true }),
  attribute('name', 'string', { optional: true, computed: true }),
  attribute('namespace', 'string', { optional: true }),
  attribute('resource_version', 'string', { computed: true }),
  attribute('uid', 'string', { computed: true }),
]);
const CONFIG_MAP = schema(
  block(
    [
      attribute('binary_data', STRING_MAP, { optional: true }),
      attribute('data', STRING_MAP, { optional: true }),
      attribute('id', 'string', { optional: true, computed: true }),
      attribute('immutable', 'bool', { optional: true }),
    ],
    [nestedBlock('metadata', METADATA, { min: 1, max: 1 })],
  ),
);
const RESOURCES = { kubernetes_config_map_v1: CONFIG_MAP };
const PROVIDER = schema(block([attribute('config_path', 'string', { optional: true }), attribute('config_context', 'string', { optional: true })]));

// ---- validation, with the messages the real provider gives ----
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;
const ERROR = 1;
const diagnostic = (summary, detail = '') => msg(num(1, ERROR), str(2, summary), detail ? str(3, detail) : Buffer.alloc(0));

function validateConfigMap(config) {
  const problems = [];
  const meta = Array.isArray(config?.metadata) ? config.metadata[0] : undefined;
  const name = meta?.name;
  if (typeof name === 'string' && (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))) {
    problems.push(`metadata.0.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  }
  const namespace = meta?.namespace;
  if (typeof namespace === 'string' && namespace !== '' && (namespace.length > 63 || !DNS1123_LABEL.test(namespace))) {
    problems.push(`metadata.0.namespace: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  }
  for (const field of ['data', 'binary_data']) {
    const values = config?.[field];
    if (!values || values === UNKNOWN) continue;
    for (const key of Object.keys(values)) {
      if (key.length > 253 || !CONFIG_MAP_KEY.test(key)) problems.push(`${field}: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
    }
  }
  return problems;
}

// ---- planning, the way the SDKv2 provider plans ----
const isZero = (v) => v === false || v === '' || v === 0 || (Array.isArray(v) && v.length === 0) || (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && Object.keys(v).length === 0);
const hasUnknown = (v) => v === UNKNOWN || (v && typeof v === 'object' && !Buffer.isBuffer(v) && Object.values(v).some(hasUnknown));

/** An attribute the config leaves unset keeps the zero value state recorded (SDKv2 diffs "" / false / {} as unset). */
function keepZeroes(proposed, prior) {
  if (Array.isArray(proposed) && Array.isArray(prior)) return proposed.map((p, i) => keepZeroes(p, prior[i]));
  if (!proposed || typeof proposed !== 'object' || !prior || typeof prior !== 'object') return proposed;
  return Object.fromEntries(Object.entries(proposed).map(([k, v]) => [k, v === null && isZero(prior[k]) ? prior[k] : keepZeroes(v, prior[k])]));
}

/** The planned state: the proposed one, with the prior zero values kept; as JSON, which terraform reads as well as msgpack. */
function plannedState(priorValue, proposedValue) {
  const packed = (value) => value && first(decode(value), 1);
  const prior = packed(priorValue) ? unpack(packed(priorValue)) : null;
  const proposed = packed(proposedValue) ? unpack(packed(proposedValue)) : null;
  // Creating, destroying, or values not known yet (JSON cannot carry them): as proposed.
  if (prior === null || proposed === null || hasUnknown(proposed)) return proposedValue;
  return bytes(2, Buffer.from(JSON.stringify(keepZeroes(proposed, prior))));
}

/**
 * For tests: with KUBE_PROVIDER_HOLD=<file>, planning waits until <file> exists, after
 * writing <file>.held to say it is waiting (so a test can act while a plan is under way).
 * A hold nobody releases ends with this process: when tofu is gone, or after 5 minutes.
 */
async function holdIfAsked() {
  const file = process.env.KUBE_PROVIDER_HOLD;
  if (!file || existsSync(file)) return;
  writeFileSync(`${file}.held`, `${process.pid}\n`);
  const parent = process.ppid;
  const deadline = Date.now() + 5 * 60_000;
  while (!existsSync(file)) {
    if (process.ppid !== parent || Date.now() > deadline) process.exit(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- the calls ----
const dynamicValue = (fields, no) => first(fields, no); // passed through as terraform sent it
const handlers = {
  '/tfplugin6.Provider/GetMetadata': () => msg(...Object.keys(RESOURCES).map((type) => bytes(4, str(1, type)))),
  '/tfplugin6.Provider/GetProviderSchema': () =>
    msg(bytes(1, PROVIDER), ...Object.entries(RESOURCES).map(([type, s]) => bytes(2, msg(str(1, type), bytes(2, s))))),
  '/tfplugin6.Provider/ValidateProviderConfig': () => Buffer.alloc(0),
  '/tfplugin6.Provider/ValidateResourceConfig': (req) => {
    const type = first(req, 1)?.toString();
    const config = first(req, 2);
    const packed = config && first(decode(config), 1);
    const problems = type === 'kubernetes_config_map_v1' && packed ? validateConfigMap(unpack(packed)) : [];
    return msg(...problems.map((p) => bytes(1, diagnostic(p))));
  },
  '/tfplugin6.Provider/ValidateDataResourceConfig': (req) => msg(bytes(1, diagnostic(`The provider hashicorp/kubernetes stand-in serves no data source "${first(req, 1)}"`))),
  '/tfplugin6.Provider/UpgradeResourceState': (req) => {
    // Schema version 0 is current: the recorded JSON is the state as it is.
    const raw = first(decode(first(req, 3) ?? Buffer.alloc(0)), 1);
    return msg(bytes(1, bytes(2, raw ?? Buffer.from('null'))));
  },
  '/tfplugin6.Provider/ConfigureProvider': () => Buffer.alloc(0),
  '/tfplugin6.Provider/ReadResource': (req) => msg(bytes(1, dynamicValue(req, 2)), bytes(3, first(req, 3))),
  // The SDKv2 provider sets legacy_type_system, as the real one does.
  '/tfplugin6.Provider/PlanResourceChange': async (req) => {
    await holdIfAsked();
    return msg(bytes(1, plannedState(first(req, 2), first(req, 3))), bytes(3, first(req, 5)), num(5, 1));
  },
  '/tfplugin6.Provider/ApplyResourceChange': () => msg(bytes(3, diagnostic('the hashicorp/kubernetes stand-in does not apply', 'tests put the states of kubernetes_* resources into S3 directly'))),
  '/tfplugin6.Provider/StopProvider': () => Buffer.alloc(0),
  '/plugin.GRPCController/Shutdown': () => {
    setImmediate(() => process.exit(0));
    return Buffer.alloc(0);
  },
};

function frame(message) {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

function serve(stream, headers) {
  const handler = handlers[headers[':path']];
  if (!handler) {
    // Streams (go-plugin's stdio and broker) and calls not served: UNIMPLEMENTED, as grpc-go says it.
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': `unknown method ${headers[':path']}` }, { endStream: true });
    return;
  }
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('end', async () => {
    const body = Buffer.concat(chunks);
    let reply;
    try {
      reply = await handler(decode(body.subarray(5, 5 + (body.length >= 5 ? body.readUInt32BE(1) : 0))));
    } catch (error) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '13', 'grpc-message': encodeURIComponent(String(error)) }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame(reply));
  });
}

/** The server's certificate for go-plugin's automatic mTLS, made once per user with openssl (valid for "localhost"). */
function serverCertificate() {
  const dir = path.join(tmpdir(), `foundation-kube-provider-tls-${userInfo().uid}`);
  const read = () => ({ key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') });
  try {
    return read();
  } catch {
    // Made in a folder of its own and renamed into place whole: two providers starting at once never mix keys.
    const temp = `${dir}.${process.pid}`;
    mkdirSync(temp, { recursive: true, mode: 0o700 });
    execFileSync('openssl', ['req', '-x509', '-nodes', '-days', '3650', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', path.join(temp, 'key.pem'), '-out', path.join(temp, 'cert.pem')], { stdio: 'ignore' });
    try {
      renameSync(temp, dir);
    } catch {
      rmSync(temp, { recursive: true, force: true }); // another provider's came first
    }
    return read();
  }
}

const clientCert = process.env.PLUGIN_CLIENT_CERT;
let server;
let certField = '';
if (clientCert) {
  const { key, cert } = serverCertificate();
  server = http2.createSecureServer({ key, cert, ca: [clientCert], requestCert: true, rejectUnauthorized: true });
  certField = new X509Certificate(cert).raw.toString('base64').replace(/=+$/, '');
} else {
  server = http2.createServer(); // TF_DISABLE_PLUGIN_TLS
}
server.on('stream', serve);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`1|6|tcp|127.0.0.1:${server.address().port}|grpc${certField ? `|${certField}` : ''}\n`);
});

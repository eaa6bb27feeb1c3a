// A throwaway self-signed certificate for 127.0.0.1. kubectl only sends a bearer token
// over https, so the stand-in must speak TLS; Node cannot mint certificates, openssl can.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

interface KeyPair {
  key: string;
  cert: string;
}

let cached: Promise<KeyPair> | undefined;

/** One certificate per test process is enough: every server listens on 127.0.0.1. */
export function selfSignedCertificate(): Promise<KeyPair> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<KeyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-api-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-nodes', '-days', '1',
      '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', key, '-out', cert,
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } catch (error) {
    throw new Error(`kube-api stand-in: openssl could not create a test certificate: ${String(error)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

#!/usr/bin/env node
// The whole foundation flow against a throwaway S3-compatible server on loopback:
// backend materialize, init, plan, apply, plan again. No cloud, no credentials of yours.
// FOUNDATION_BIN names the foundation executable to run (an installed package's, say);
// by default this checkout's bin/foundation.js.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import S3rver from 's3rver';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = process.env.FOUNDATION_BIN ? [process.env.FOUNDATION_BIN] : [process.execPath, path.join(here, '..', '..', 'bin', 'foundation.js')];
const data = mkdtempSync(path.join(tmpdir(), 'foundation-sandbox-s3-'));
const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: data, configureBuckets: [{ name: 'sandbox-state' }] });
const { port } = await server.run();

// s3rver's built-in key pair: fine for a loopback sandbox, never for a real server.
const env = {
  ...process.env,
  ENV: 'sandbox',
  TOFU_BACKEND_S3_ENDPOINT: `http://127.0.0.1:${port}`,
  TOFU_BACKEND_S3_BUCKET: 'sandbox-state',
  TOFU_BACKEND_S3_ACCESS_KEY: 'S3RVER',
  TOFU_BACKEND_S3_SECRET_KEY: 'S3RVER',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

const steps = [
  { args: ['stacks'], expect: [0] },
  { args: ['backend', 'materialize', 'sandbox'], expect: [0] },
  { args: ['init', 'sandbox'], expect: [0] },
  { args: ['plan', 'sandbox', '--detailed-exitcode'], expect: [2] },
  { args: ['apply', 'sandbox', '--plan', '.foundation/plans/sandbox/sandbox.tfplan'], expect: [0] },
  { args: ['plan', 'sandbox', '--detailed-exitcode'], expect: [0] },
];

let failed = false;
console.log(`sandbox: foundation is ${cli.at(-1)}`);
try {
  for (const step of steps) {
    console.log(`\n$ foundation ${step.args.join(' ')}`);
    // Asynchronous on purpose: the S3 server lives in this process's event loop.
    const child = spawn(cli[0], [...cli.slice(1), ...step.args], { cwd: here, env, stdio: 'inherit' });
    // `once` rejects when the executable cannot start (FOUNDATION_BIN naming nothing, say).
    const [status] = await once(child, 'exit').catch((error) => [`not started (${error.message})`]);
    if (typeof status === 'number') console.log(`(exit ${status})`);
    if (!step.expect.includes(status)) {
      console.error(`sandbox: expected exit ${step.expect.join(' or ')}, got ${status}`);
      failed = true;
      break;
    }
  }
} finally {
  await server.close();
  rmSync(data, { recursive: true, force: true });
}
if (!failed) console.log('\nsandbox: materialize, init, plan, apply and a clean plan all worked against a local S3 server.');
process.exitCode = failed ? 1 : 0;

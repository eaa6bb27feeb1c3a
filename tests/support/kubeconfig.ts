// Writes a kubeconfig that points kubectl (or the CLI) at a test API server.
// https with `insecure-skip-tls-verify`: kubectl sends bearer tokens only over TLS, and
// the stand-in's certificate is self-signed.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** Bearer token of the user; omitted when undefined. */
  token?: string;
  /** Name of the context, which is also current-context (default `test`). */
  context?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** Folder to write `kubeconfig` into (default: a new temp folder). */
  dir?: string;
}

/** Returns the path of the written kubeconfig (mode 0600: it holds a token). */
export async function writeKubeconfig(server: { url: string }, options: KubeconfigOptions = {}): Promise<string> {
  const context = options.context ?? 'test';
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: `${context}-cluster`, cluster: { server: server.url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: `${context}-user`, user: options.token === undefined ? {} : { token: options.token } }],
    contexts: [
      {
        name: context,
        context: {
          cluster: `${context}-cluster`,
          user: `${context}-user`,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        },
      },
    ],
    'current-context': context,
    preferences: {},
  };
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kubeconfig-')));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Project } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';
import { registerSecret } from '../ui/redact.js';
import type { Cluster } from './clusters.js';

/** The secrets bundle's path from the variable foundation.yaml names; it must lie outside the repository. */
export function secretsBundlePath(project: Project, cluster: Cluster, env: NodeJS.ProcessEnv = process.env): string {
  const variable = cluster.spec.secretsBundleEnv;
  const value = env[variable];
  if (!value) {
    throw new FoundationError(
      `${variable} is not set: it holds the path of cluster ${cluster.name}'s Talos secrets bundle`,
      `export ${variable}=/path/outside/the/repo/${cluster.name}-secrets.yaml (kept in the team's secret store)`,
    );
  }
  const bundle = path.resolve(value);
  const relative = path.relative(project.dir, bundle);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new FoundationError(
      `${variable} points inside the repository (${relative}): the secrets bundle must never be committed`,
      `move the bundle outside ${project.dir} and point ${variable} at it`,
    );
  }
  return bundle;
}

// Bundle values are long random strings; shorter ones (none today) would mask ordinary words.
const MIN_LENGTH = 16;
/** Fields of a machine config (or talosconfig) that hold key material or tokens. */
const SECRET_FIELD = /(key|token|secret|crt|ca)$/i;

/**
 * Masks every value of the bundle (keys, certificates, tokens) in what foundation prints,
 * so talosctl output that echoes one (an apply --dry-run diff) cannot leak it.
 */
export function registerBundleSecrets(bundle: string): void {
  registerSecretsIn(bundle, () => true);
}

/** The same for a generated machine config: the values of its key, token, secret and certificate fields. */
export function registerConfigSecrets(file: string): void {
  registerSecretsIn(file, (field) => SECRET_FIELD.test(field));
}

function registerSecretsIn(file: string, isSecretField: (field: string) => boolean): void {
  if (!existsSync(file)) return;
  const walk = (value: unknown, field: string): void => {
    if (typeof value === 'string' && value.length >= MIN_LENGTH && isSecretField(field)) {
      registerSecret(value);
      // certificates and keys are base64 of PEM: the decoded body may be printed too
      if (/^[A-Za-z0-9+/=]{64,}$/.test(value)) {
        for (const line of Buffer.from(value, 'base64').toString('utf8').split('\n')) if (line.length >= MIN_LENGTH && !line.startsWith('-----')) registerSecret(line);
      }
    } else if (Array.isArray(value)) value.forEach((item) => walk(item, field));
    else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, key);
  };
  try {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) walk(doc.toJS(), '');
  } catch {
    // an unreadable file is reported by talosctl when it loads it
  }
}

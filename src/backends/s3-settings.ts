import type { Project } from '../config/project.js';
import type { BackendEnvNames } from '../config/schema.js';
import { FoundationError } from '../ui/errors.js';
import { registerSecret } from '../ui/redact.js';

export interface S3Location {
  endpoint: string;
  bucket: string;
  region: string;
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const DEFAULT_BACKEND_ENV: BackendEnvNames = {
  endpoint: 'TOFU_BACKEND_S3_ENDPOINT',
  bucket: 'TOFU_BACKEND_S3_BUCKET',
  accessKey: 'TOFU_BACKEND_S3_ACCESS_KEY',
  secretKey: 'TOFU_BACKEND_S3_SECRET_KEY',
  region: 'TOFU_BACKEND_S3_REGION',
};
// RustFS, MinIO and Ceph accept any region name; us-east-1 is what their clients default to.
const DEFAULT_REGION = 'us-east-1';

/** Which variables carry the backend settings for an ENV: defaults, then foundation.yaml, then the ENV's override. */
export function backendEnvNames(project: Project, env: string): BackendEnvNames {
  return {
    ...DEFAULT_BACKEND_ENV,
    ...project.config.backend?.s3?.env,
    ...project.config.environments[env]?.backend?.env,
  };
}

/**
 * Reads the backend settings from the environment. Every missing variable is named at
 * once. Credentials are registered for redaction the moment they are read.
 */
export function readS3Settings(
  project: Project,
  env: string,
  { credentials }: { credentials: boolean },
  vars: NodeJS.ProcessEnv = process.env,
): { location: S3Location; credentials?: S3Credentials } {
  const names = backendEnvNames(project, env);
  const required = [names.endpoint, names.bucket, ...(credentials ? [names.accessKey, names.secretKey] : [])];
  const missing = required.filter((name) => !vars[name]);
  if (missing.length > 0) {
    throw new FoundationError(
      `missing backend environment variable${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
      `export ${missing.join(', ')} (see "Environment variables" in docs/configuration.md)`,
    );
  }
  const endpoint = vars[names.endpoint]!;
  if (!/^https?:\/\/[^/\s]+(\/[^\s]*)?$/.test(endpoint)) {
    throw new FoundationError(`${names.endpoint} is not an http(s) URL: "${endpoint}"`, `set ${names.endpoint} to the S3 endpoint, e.g. https://rustfs.example:9000`);
  }
  const region =
    vars[names.region] || project.config.environments[env]?.backend?.region || project.config.backend?.s3?.region || DEFAULT_REGION;
  const location = { endpoint: endpoint.replace(/\/+$/, ''), bucket: vars[names.bucket]!, region };
  if (!credentials) return { location };
  const creds = { accessKeyId: vars[names.accessKey]!, secretAccessKey: vars[names.secretKey]! };
  registerSecret(creds.accessKeyId);
  registerSecret(creds.secretAccessKey);
  return { location, credentials: creds };
}

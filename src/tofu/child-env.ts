import type { S3Credentials } from '../backends/s3-settings.js';

// Ambient AWS settings that would override or corrupt the backend credentials we pass.
const AMBIENT_AWS = ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/**
 * The environment of a tofu child: the caller's, less foundation's own secret variables
 * and ambient AWS credentials, plus the backend credentials as AWS_* (the only way they
 * reach tofu: never argv, never a file).
 */
export function tofuChildEnv(
  base: NodeJS.ProcessEnv,
  credentials: S3Credentials | undefined,
  { ci, secretVarNames }: { ci: boolean; secretVarNames: string[] },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of [...AMBIENT_AWS, ...secretVarNames]) delete env[name];
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  }
  // foundation is the automation around tofu: tofu must not suggest its own next command
  // ("run: tofu apply <plan>" would skip foundation and its guards).
  env.TF_IN_AUTOMATION = '1';
  if (ci) env.TF_INPUT = '0';
  return env;
}

import path from 'node:path';
import type { Project } from '../config/project.js';
import { loadProject } from '../config/load.js';
import { resolveEnv } from '../config/resolve.js';
import type { BackendEnvNames } from '../config/schema.js';
import { backendEnvNames, readS3Settings, type S3Credentials, type S3Location } from '../backends/s3-settings.js';
import type { GlobalOptions } from '../config/global-options.js';
import { findTofuBinary, type TofuBinary } from '../tofu/binary.js';
import { tofuChildEnv } from '../tofu/child-env.js';
import { isCI } from '../ui/output.js';

/** Everything a tofu run for one ENV needs, resolved and checked before anything is written. */
export interface RunContext {
  project: Project;
  env: string;
  tofu: TofuBinary;
  location: S3Location;
  credentials: S3Credentials;
  backendEnv: BackendEnvNames;
  ci: boolean;
  /** Whether tofu may colour its output. */
  color: boolean;
  childEnv: NodeJS.ProcessEnv;
}

export function loadRunContext(global: GlobalOptions, project = loadProject()): RunContext {
  const env = resolveEnv(project, global.env);
  const { location, credentials } = readS3Settings(project, env, { credentials: true });
  const tofu = findTofuBinary();
  const backendEnv = backendEnvNames(project, env);
  const ci = isCI();
  const childEnv = tofuChildEnv(process.env, credentials, { ci, secretVarNames: [backendEnv.accessKey, backendEnv.secretKey] });
  // One provider cache for every stack, unless the operator has their own.
  childEnv.TF_PLUGIN_CACHE_DIR ||= path.join(project.dir, '.foundation', 'plugin-cache');
  return {
    project,
    env,
    tofu,
    location,
    credentials: credentials!,
    backendEnv,
    ci,
    color: global.color !== false && !ci && Boolean(process.stdout.isTTY),
    childEnv,
  };
}

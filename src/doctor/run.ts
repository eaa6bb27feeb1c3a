import { backendKindFor } from '../backends/backend-kind.js';
import { readGitlabCredentials } from '../backends/gitlab-http.js';
import { backendEnvNames, readS3Settings } from '../backends/s3-settings.js';
import type { GlobalOptions } from '../config/global-options.js';
import { loadProject } from '../config/load.js';
import { type Project } from '../config/project.js';
import { resolveEnv } from '../config/resolve.js';
import type { BackendEnvNames } from '../config/schema.js';
import { EXIT } from '../ui/errors.js';
import { tofuCheck, toolChecks } from './binaries.js';
import type { Check } from './check.js';
import { kubeChecks } from './kube-checks.js';
import { s3Checks } from './s3-checks.js';

export interface DoctorReport {
  env: string | null;
  /** 0 when no check failed (warnings allowed), 1 when any failed. */
  exitCode: number;
  checks: Check[];
}

/** Everything an apply depends on, checked without changing anything (the probe object is removed). */
export async function runDoctor(global: GlobalOptions): Promise<DoctorReport> {
  const project = loadProject();
  // The binaries answer in parallel, with the rest; the lines keep their order.
  const binaries = Promise.all([tofuCheck(), toolChecks(project.dir)]);
  const checks: Check[] = [];
  let env: string | undefined;
  let s3: Promise<Check[]> = Promise.resolve([]);
  try {
    env = resolveEnv(project, global.env);
    checks.push({ check: 'ENV', status: 'ok', detail: env });
  } catch (error) {
    checks.push({ check: 'ENV', status: 'fail', detail: (error as Error).message });
  }
  if (env) {
    const names = backendEnvNames(project, env);
    const required = [names.endpoint, names.bucket, names.accessKey, names.secretKey];
    const missing = required.filter((name) => !process.env[name]);
    checks.push(
      missing.length === 0
        ? { check: 'variables', status: 'ok', detail: `${required.join(', ')} set${process.env[names.region] ? `, ${names.region} set` : ''}` }
        : { check: 'variables', status: 'fail', detail: `missing: ${missing.join(', ')}` },
    );
    const legacy = [...project.stacks.values()].filter((stack) => backendKindFor(stack, env!) === 'gitlab-http').map((s) => s.name);
    if (legacy.length > 0) {
      checks.push({ check: 'legacy state', status: 'warn', detail: `${legacy.join(', ')} still on GitLab-managed HTTP state (compatibility-only); ${gitlabCredentialsNote()}` });
    }
    s3 = missing.length === 0 ? bucketChecks(project, env, names) : Promise.resolve([{ check: 's3', status: 'fail', detail: `not checked: ${missing.join(', ')} missing` }]);
  }
  const kube = kubeChecks(project, env, global.context);
  const [[tofu, tools], bucket, contexts] = await Promise.all([binaries, s3, kube]);
  const all = [tofu, ...tools, ...checks, ...bucket, ...contexts];
  return { env: env ?? null, exitCode: all.some((c) => c.status === 'fail') ? EXIT.error : EXIT.ok, checks: all };
}

/** Which GitLab token the legacy state would use, and under which user name; never the token. */
function gitlabCredentialsNote(): string {
  try {
    const { source, username } = readGitlabCredentials();
    return `${source} set, user name ${username}`;
  } catch {
    return 'no TF_HTTP_PASSWORD, GITLAB_TOKEN or CI_JOB_TOKEN set';
  }
}

async function bucketChecks(project: Project, env: string, names: BackendEnvNames): Promise<Check[]> {
  try {
    const { location, credentials } = readS3Settings(project, env, { credentials: true });
    return await s3Checks(location, credentials!, names);
  } catch (error) {
    return [{ check: 's3', status: 'fail', detail: (error as Error).message }];
  }
}

import { backendKindFor } from '../backends/backend-kind.js';
import { backendEnvNames, readS3Settings } from '../backends/s3-settings.js';
import type { GlobalOptions } from '../commands/options.js';
import { loadProject } from '../config/load.js';
import { resolveEnv } from '../config/resolve.js';
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
  const checks: Check[] = [await tofuCheck(), ...(await toolChecks())];
  let env: string | undefined;
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
      const token = ['TF_HTTP_PASSWORD', 'GITLAB_TOKEN'].find((name) => process.env[name]);
      checks.push({
        check: 'legacy state',
        status: 'warn',
        detail: `${legacy.join(', ')} still on GitLab-managed HTTP state (compatibility-only); ${token ? `${token} set` : 'TF_HTTP_PASSWORD / GITLAB_TOKEN not set'}`,
      });
    }
    if (missing.length === 0) {
      try {
        const { location, credentials } = readS3Settings(project, env, { credentials: true });
        checks.push(...(await s3Checks(location, credentials!, names)));
      } catch (error) {
        checks.push({ check: 's3', status: 'fail', detail: (error as Error).message });
      }
    } else {
      checks.push({ check: 's3', status: 'fail', detail: `not checked: ${missing.join(', ')} missing` });
    }
  }
  checks.push(...(await kubeChecks(project, env, global.context)));
  return { env: env ?? null, exitCode: checks.some((c) => c.status === 'fail') ? EXIT.error : EXIT.ok, checks };
}

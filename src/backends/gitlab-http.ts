import type { Stack } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';
import { registerSecret } from '../ui/redact.js';
import { backendFilesOf, type BackendFiles } from './materialize.js';

export const HTTP_BACKEND_FILE = 'backend.http.tfbackend';

/** GitLab's Terraform state API for one stack and ENV. */
export interface GitlabStateLocation {
  /** The state's address: <gitlab>/api/v4/projects/<project>/terraform/state/<name>. */
  address: string;
  /** GitLab locks and unlocks at <address>/lock, with POST and DELETE. */
  lockAddress: string;
  project: string;
  stateName: string;
}

export interface GitlabCredentials {
  username: string;
  password: string;
  /** The variable the token came from: TF_HTTP_PASSWORD, GITLAB_TOKEN or CI_JOB_TOKEN. */
  source: string;
  /** A CI/CD job token: GitLab takes it over basic auth only with the user name gitlab-ci-token. */
  jobToken: boolean;
}

/** The one user name GitLab accepts a CI/CD job token under (Gitlab::Auth::CI_JOB_USER). */
export const JOB_TOKEN_USER = 'gitlab-ci-token';
/** GitLab's prefix for CI/CD job tokens. */
const JOB_TOKEN_PREFIX = 'glcbt-';

export function gitlabStateLocation(stack: Stack, env: string, vars: NodeJS.ProcessEnv = process.env): GitlabStateLocation {
  const gitlab = stack.spec.gitlab;
  if (!gitlab) {
    throw new FoundationError(
      `stack "${stack.name}" uses backend gitlab-http in ENV ${env} but ${stack.file} has no "gitlab" section`,
      `add gitlab.project (and gitlab.url, gitlab.stateName) to ${stack.file}, or set backend.${env}: s3`,
    );
  }
  const base = gitlab.url ?? vars.CI_SERVER_URL;
  if (!base) {
    throw new FoundationError(`stack "${stack.name}": no GitLab URL for its legacy state`, `set gitlab.url in ${stack.file} or export CI_SERVER_URL`);
  }
  const project = String(gitlab.project);
  const stateName = gitlab.stateName.replaceAll('{env}', env).replaceAll('{stack}', stack.name);
  const address = `${base.replace(/\/+$/, '')}/api/v4/projects/${encodeURIComponent(project)}/terraform/state/${encodeURIComponent(stateName)}`;
  return { address, lockAddress: `${address}/lock`, project, stateName };
}

/**
 * GitLab credentials from the environment only: TF_HTTP_PASSWORD (what tofu's http backend
 * reads itself), else GITLAB_TOKEN, else a CI job's CI_JOB_TOKEN. The user name is
 * TF_HTTP_USERNAME when set; otherwise gitlab-ci-token for a job token (GitLab refuses a job
 * token under any other name) and GITLAB_USER_LOGIN for an access token (personal, project
 * or group: GitLab looks the token up and does not check the name).
 */
export function readGitlabCredentials(vars: NodeJS.ProcessEnv = process.env): GitlabCredentials {
  const source = ['TF_HTTP_PASSWORD', 'GITLAB_TOKEN', 'CI_JOB_TOKEN'].find((name) => vars[name]);
  if (!source) {
    throw new FoundationError(
      'missing GitLab credentials for the legacy state: TF_HTTP_PASSWORD, GITLAB_TOKEN or CI_JOB_TOKEN',
      'export TF_HTTP_PASSWORD (or GITLAB_TOKEN): an access token with the api scope whose user has the Maintainer role on the project; in a GitLab CI job, its CI_JOB_TOKEN serves',
    );
  }
  const password = vars[source]!;
  registerSecret(password);
  const jobToken = password === vars.CI_JOB_TOKEN || password.startsWith(JOB_TOKEN_PREFIX);
  return { username: vars.TF_HTTP_USERNAME || (jobToken ? JOB_TOKEN_USER : vars.GITLAB_USER_LOGIN || 'foundation'), password, source, jobToken };
}

/** GitLab's documented http backend settings; no credentials (tofu reads TF_HTTP_USERNAME/PASSWORD). */
export function gitlabBackendFiles(stack: Stack, env: string, location: GitlabStateLocation): BackendFiles {
  const config = {
    address: location.address,
    lock_address: location.lockAddress,
    unlock_address: location.lockAddress,
    lock_method: 'POST',
    unlock_method: 'DELETE',
    retry_wait_min: 5,
  };
  return backendFilesOf(stack, env, 'http', location.address, config, HTTP_BACKEND_FILE, `foundation init ${stack.name}`);
}

/** A tofu child's environment for the http backend: the credentials as TF_HTTP_*, GITLAB_TOKEN removed. */
export function withGitlabCredentials(env: NodeJS.ProcessEnv, credentials: GitlabCredentials): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env, TF_HTTP_USERNAME: credentials.username, TF_HTTP_PASSWORD: credentials.password };
  delete child.GITLAB_TOKEN;
  return child;
}

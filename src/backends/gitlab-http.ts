import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Stack } from '../config/load.js';
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
}

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
 * GitLab credentials from the environment only: TF_HTTP_USERNAME / TF_HTTP_PASSWORD (what
 * tofu's http backend reads itself), else GITLAB_TOKEN as the password. GitLab checks the
 * token, not the user name, on this API.
 */
export function readGitlabCredentials(vars: NodeJS.ProcessEnv = process.env): GitlabCredentials {
  const password = vars.TF_HTTP_PASSWORD || vars.GITLAB_TOKEN;
  if (!password) {
    throw new FoundationError(
      'missing GitLab credentials for the legacy state: TF_HTTP_PASSWORD (or GITLAB_TOKEN)',
      'export TF_HTTP_USERNAME and TF_HTTP_PASSWORD (a token with the Maintainer role on the project), or GITLAB_TOKEN',
    );
  }
  registerSecret(password);
  return { username: vars.TF_HTTP_USERNAME || vars.GITLAB_USER_LOGIN || 'foundation', password };
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

/** GET the legacy state the way tofu's http backend does; undefined when GitLab has none (404 or 204). */
export async function fetchGitlabState(location: GitlabStateLocation, credentials: GitlabCredentials): Promise<string | undefined> {
  let response: Response;
  try {
    response = await fetch(location.address, {
      headers: { Authorization: authHeader(credentials) },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new FoundationError(`GitLab at ${new URL(location.address).origin} is unreachable (${cause})`, 'check gitlab.url in stack.yaml and that GitLab is reachable from here');
  }
  if (response.status === 404 || response.status === 204) return undefined;
  if (response.status === 401 || response.status === 403) {
    throw new FoundationError(
      `GitLab refused the credentials for state "${location.stateName}" of project ${location.project} (HTTP ${response.status})`,
      'check TF_HTTP_PASSWORD (or GITLAB_TOKEN): a token with at least the Developer role to read, Maintainer to write',
    );
  }
  if (!response.ok) throw new FoundationError(`GitLab answered HTTP ${response.status} for state "${location.stateName}" of project ${location.project}`, 'check GitLab\'s health and the project');
  const text = await response.text();
  return text.trim() === '' ? undefined : text;
}

function authHeader(credentials: GitlabCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/**
 * Takes GitLab's state lock the way tofu's http backend does (POST <address>/lock with the
 * lock info), so no tofu run writes the legacy state while it is copied. Returns the
 * release function; a lock someone else holds is an error naming the holder.
 */
export async function lockGitlabState(location: GitlabStateLocation, credentials: GitlabCredentials, operation: string): Promise<() => Promise<void>> {
  const id = randomUUID();
  const info = { ID: id, Operation: operation, Info: 'foundation', Who: `foundation@${hostname()}`, Version: '', Created: new Date().toISOString(), Path: '' };
  const response = await fetch(location.lockAddress, {
    method: 'POST',
    headers: { Authorization: authHeader(credentials), 'Content-Type': 'application/json' },
    body: JSON.stringify(info),
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status === 409 || response.status === 423) {
    const holder = (await response.json().catch(() => ({}))) as { ID?: string; Who?: string; Operation?: string; Created?: string };
    throw new FoundationError(
      `the GitLab state "${location.stateName}" is locked by ${holder.Who ?? 'someone'} (lock ID ${holder.ID ?? '?'}, ${holder.Operation ?? 'unknown operation'} since ${holder.Created ?? '?'})`,
      'wait for that run to finish; nothing was changed',
    );
  }
  if (!response.ok) throw new FoundationError(`GitLab refused to lock state "${location.stateName}" (HTTP ${response.status})`, 'check that the token has the Maintainer role on the project');
  return async () => {
    await fetch(location.lockAddress, {
      method: 'DELETE',
      headers: { Authorization: authHeader(credentials), 'Content-Type': 'application/json' },
      body: JSON.stringify(info),
      signal: AbortSignal.timeout(15_000),
    });
  };
}

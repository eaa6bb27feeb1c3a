// foundation's own calls to GitLab's Terraform state API (lib/api/terraform/state.rb):
// reading a legacy state, and taking its lock while the state is copied to S3. Each call
// has a timeout and a bounded retry with backoff for transient failures (429 with
// Retry-After, 5xx, refused or reset connections, timeouts), as tofu's http backend retries.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { FoundationError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { answerText, Backoff, DEFAULT_RETRY, formatWait, isRetryable, networkReason, RESET_CODES, retryAfterMs, statusLine, type RetryPolicy } from '../util/http-retry.js';
import { JOB_TOKEN_USER, type GitlabCredentials, type GitlabStateLocation } from '../backends/gitlab-http.js';

const TIMEOUT_MS = 15_000;

/** GET the legacy state the way tofu's http backend does; undefined when GitLab has none (404 or 204). */
export async function fetchGitlabState(location: GitlabStateLocation, credentials: GitlabCredentials, policy = DEFAULT_RETRY): Promise<string | undefined> {
  const response = await call(location, location.address, { method: 'GET', headers: { Authorization: authHeader(credentials) } }, policy);
  if (response.status === 404 || response.status === 204) return undefined;
  if (!response.ok) throw await refusal(location, credentials, response, 'read');
  const text = await response.text();
  return text.trim() === '' ? undefined : text;
}

/**
 * Takes GitLab's state lock the way tofu's http backend does (POST <address>/lock with the
 * lock info), so no tofu run writes the legacy state while it is copied. Returns the
 * release function. A lock someone else holds is an error with what GitLab says of it:
 * the lock's ID, its holder's GitLab user name and when it was taken. GitLab echoes the
 * rest of the requester's own lock info, so the holder's operation is not known.
 */
export async function lockGitlabState(location: GitlabStateLocation, credentials: GitlabCredentials, operation: string, policy = DEFAULT_RETRY): Promise<() => Promise<void>> {
  const id = randomUUID();
  const info = JSON.stringify({ ID: id, Operation: operation, Info: 'foundation', Who: `foundation@${hostname()}`, Version: '', Created: new Date().toISOString(), Path: '' });
  const init = (method: string): RequestInit => ({ method, headers: { Authorization: authHeader(credentials), 'Content-Type': 'application/json' }, body: info });
  const response = await call(location, location.lockAddress, init('POST'), policy);
  if (response.status === 409 || response.status === 423) {
    const holder = (await response.json().catch(() => ({}))) as { ID?: unknown; Who?: unknown; Created?: unknown };
    // Our own ID: an earlier attempt took the lock and its answer was lost on the way.
    if (holder.ID !== id) {
      const field = (value: unknown) => (typeof value === 'string' && value ? value : 'unknown');
      throw new FoundationError(
        `the GitLab state "${location.stateName}" of project ${location.project} is locked: lock ID ${field(holder.ID)}, taken by GitLab user ${field(holder.Who)} at ${field(holder.Created)}`,
        "wait for that run to finish, then run this again; nothing was changed. A lock left by a run that is gone is released on GitLab's Terraform states page (Operate > Terraform states > Unlock)",
      );
    }
  } else if (!response.ok) {
    throw await refusal(location, credentials, response, 'lock');
  }
  return async () => {
    const released = await call(location, location.lockAddress, init('DELETE'), policy).catch((error: unknown) => error as Error);
    if (released instanceof Response && released.ok) return;
    const why = released instanceof Response ? statusLine(released.status, await answerText(released)) : released.message;
    printErr(`warning: GitLab's lock ${id} on state "${location.stateName}" was not released (${why}); release it on GitLab's Terraform states page`);
  };
}

function authHeader(credentials: GitlabCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** One request with a timeout, sent again after a transient failure within `policy`; the last answer is returned. */
async function call(location: GitlabStateLocation, url: string, init: RequestInit, policy: RetryPolicy): Promise<Response> {
  const what = `${init.method} ${url.endsWith('/lock') ? 'lock of ' : ''}state "${location.stateName}"`;
  const backoff = new Backoff({ initialMs: policy.baseDelayMs, maxMs: policy.maxWaitMs });
  for (let attempt = 0; ; attempt++) {
    let response: Response | undefined;
    let reason = '';
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      reason = networkReason(error);
    }
    const wait = response && retryAfterMs(response.headers.get('retry-after'));
    const transient = response ? isRetryable(response.status) : reason === 'timed out' || reason === 'ECONNREFUSED' || RESET_CODES.includes(reason);
    if (!transient || attempt >= policy.retries || (wait ?? 0) > policy.maxWaitMs) {
      if (response) return response;
      throw new FoundationError(`GitLab at ${new URL(url).origin} is unreachable (${reason})`, 'check gitlab.url in stack.yaml (or CI_SERVER_URL) and that GitLab is reachable from here');
    }
    await response?.body?.cancel();
    const delay = wait ?? backoff.next();
    printErr(`gitlab: ${response ? `HTTP ${response.status}` : reason} for ${what}; retry ${attempt + 1} of ${policy.retries} in ${formatWait(delay)}${wait !== undefined ? ' (Retry-After)' : ''}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** A refused or failed call as one line, with what to check for the kind of token in use. */
async function refusal(location: GitlabStateLocation, credentials: GitlabCredentials, response: Response, action: 'read' | 'lock'): Promise<FoundationError> {
  const status = statusLine(response.status, await answerText(response));
  const state = `state "${location.stateName}" of project ${location.project}`;
  if (response.status === 401) {
    let hint = `check ${credentials.source}: an access token (personal, project or group) with the api scope; GitLab does not check the user name for those`;
    if (credentials.jobToken) {
      hint =
        credentials.username === JOB_TOKEN_USER
          ? 'a CI job token is valid only while its job runs; outside a job use an access token with the api scope'
          : `GitLab takes a CI job token only with the user name ${JOB_TOKEN_USER}, not "${credentials.username}": unset TF_HTTP_USERNAME or set it to ${JOB_TOKEN_USER}`;
    }
    return new FoundationError(`GitLab refused the credentials for ${state}: ${status}`, hint);
  }
  if (response.status === 403) {
    // A job token acts as the user who started the job, and reaches another project only through that project's allowlist.
    const who = credentials.jobToken ? 'the user who started the CI job' : "the token's user";
    const allowlist = credentials.jobToken ? "; for another project's state, that project's CI/CD job token allowlist (Settings > CI/CD > Job token permissions) must name this one" : '';
    return new FoundationError(
      `GitLab denied ${action === 'lock' ? 'locking' : 'reading'} ${state}: ${status}`,
      `${who} needs the Developer role on the project to read the state, Maintainer to ${action === 'lock' ? 'lock and write' : 'write'} it${allowlist}`,
    );
  }
  return new FoundationError(`GitLab answered ${status} for ${state}`, response.status >= 500 ? 'GitLab is having trouble; run this again later' : "check GitLab's health and the project");
}

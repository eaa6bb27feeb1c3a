// A stand-in for GitLab's Terraform state API (lib/api/terraform/state.rb with
// app/services/terraform/remote_state_handler.rb), the server behind tofu's http backend
// when a project keeps "GitLab-managed Terraform state":
//   GET    /api/v4/projects/:id/terraform/state/:name        200 state, 404 unknown state, 204 empty
//   POST   /api/v4/projects/:id/terraform/state/:name[?ID=]  200 stored; the lock ID must match the lock
//   DELETE /api/v4/projects/:id/terraform/state/:name        200
//   POST   /api/v4/projects/:id/terraform/state/:name/lock   200 lock info; 409 with the holder's lock info
//   DELETE /api/v4/projects/:id/terraform/state/:name/lock   200; 409 when the ID is not the holder's
// GitLab's documented backend settings are lock_method POST and unlock_method DELETE on
// <address>/lock; tofu's default LOCK/UNLOCK methods hit no route there (404, as GitLab answers).
// Authentication (lib/gitlab/auth/auth_finders.rb; the routes allow basic_auth_personal_access_token
// and job_token_allowed: :basic_auth):
//   - an access token (personal, project or group: all PersonalAccessToken rows) as the
//     basic-auth password under any user name, or in PRIVATE-TOKEN;
//   - a CI/CD job token only as the basic-auth password with the user name gitlab-ci-token
//     (any other name: the PAT lookup fails, 401), never in PRIVATE-TOKEN (401); it acts as
//     the job's user, and another project accepts it only if that project's job token
//     allowlist names the job's project (403 "Authentication by CI/CD job token not allowed
//     from <source> to <target>." otherwise, lib/api/helpers.rb#handle_job_token_failure!).
// Reading needs Developer, writing and locking Maintainer (403 otherwise). Status codes and
// bodies follow the Grape API and its request spec. The lock endpoint's 409 carries the
// requester's own Operation, Info, Version and Path with the holder's ID, Who (GitLab user
// name) and Created, as state.rb builds it. Not modelled: Bearer tokens, token expiry and
// revocation, per-project membership of access tokens (a token's role holds for every project).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorPage } from './errors.js';

export type GitlabRole = 'developer' | 'maintainer';

export interface GitlabToken {
  /** The token's user (a bot user for project and group access tokens; the job's user for a job token). */
  username: string;
  role: GitlabRole;
  /** Default `personal`. */
  kind?: 'personal' | 'project' | 'group' | 'job';
  /** A job token's project (its job runs there). */
  project?: number;
}

export interface TerraformStateApiOptions {
  /** Tokens and who they belong to. */
  tokens: Record<string, GitlabToken>;
  /** Projects by numeric id, each with its full path (`group/project`, also accepted URL-encoded). */
  projects: Record<number, string>;
  /** A project's CI/CD job token allowlist: the projects whose job tokens it accepts (its own always). */
  jobTokenAllowlist?: Record<number, number[]>;
}

/** The user name GitLab takes a job token under (Gitlab::Auth::CI_JOB_USER). */
export const CI_JOB_USER = 'gitlab-ci-token';

interface StoredState {
  /** Versions by serial, as GitLab keeps them (a serial may not be stored twice). */
  versions: Map<number, string>;
  latest?: number;
  lock?: { id: string; username: string; at: string };
}

export interface RecordedStateRequest {
  method: string;
  path: string;
  query: string;
  contentType: string;
  hasBasicAuth: boolean;
  /** The basic-auth user name ('' without basic auth); never the token. */
  user: string;
}

export interface TerraformStateApi {
  /** Base URL (no trailing slash), e.g. http://127.0.0.1:4567: the GitLab instance URL. */
  url: string;
  /** The latest stored state document of a project's state, or undefined. */
  state(projectId: number, name: string): string | undefined;
  /** Every stored serial, oldest first. */
  serials(projectId: number, name: string): number[];
  /** The current lock ID, or undefined. */
  lockId(projectId: number, name: string): string | undefined;
  /** The current lock as GitLab keeps it (lock_xid, locked_by_user, locked_at), or undefined. */
  lock(projectId: number, name: string): { id: string; username: string; at: string } | undefined;
  /** The next `times` requests answer `status` with GitLab's HTML error page, as its nginx does while Rails is down. */
  failNext(status: 502 | 503, times?: number): void;
  /** Seeds a state as if tofu had written it. */
  putState(projectId: number, name: string, document: string): void;
  requests: RecordedStateRequest[];
  /** Request handler alone, for mounting onto another test GitLab server. Returns false when the path is not this API's. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean;
  stop(): Promise<void>;
}

const MAX_PARAM = 255;
const LOCK_PARAMS = ['ID', 'Operation', 'Info', 'Who', 'Version', 'Created', 'Path'] as const;

function send(res: ServerResponse, status: number, body?: unknown, raw = false): void {
  if (body === undefined) {
    res.writeHead(status, { 'Content-Length': 0 });
    res.end();
    return;
  }
  const text = raw ? String(body) : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': raw ? 'application/octet-stream' : 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function basicUser(header = ''): string {
  if (!header.startsWith('Basic ')) return '';
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return decoded.slice(0, Math.max(0, decoded.indexOf(':')));
}

/** Grape parses a JSON body into params only when the request says it is JSON; query params always. */
function paramsOf(req: IncomingMessage, url: URL, body: Buffer): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type === 'application/json' && body.length > 0) {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
  }
  return params;
}

export function createTerraformStateApi(options: TerraformStateApiOptions): Omit<TerraformStateApi, 'url' | 'stop'> {
  const states = new Map<string, StoredState>();
  const requests: RecordedStateRequest[] = [];
  const failures: Array<502 | 503> = [];
  const keyOf = (projectId: number, name: string) => `${projectId}/${name}`;

  function projectIdOf(raw: string): number | undefined {
    const decoded = decodeURIComponent(raw);
    if (/^\d+$/.test(decoded) && options.projects[Number(decoded)] !== undefined) return Number(decoded);
    const hit = Object.entries(options.projects).find(([, fullPath]) => fullPath === decoded);
    return hit ? Number(hit[0]) : undefined;
  }

  /** The token's user, or undefined (401). A job token counts only under the user name gitlab-ci-token. */
  function userOf(req: IncomingMessage): GitlabToken | undefined {
    const header = req.headers.authorization ?? '';
    const privateToken = req.headers['private-token'];
    if (typeof privateToken === 'string') {
      const token = options.tokens[privateToken];
      return token?.kind === 'job' ? undefined : token;
    }
    if (!header.startsWith('Basic ')) return undefined;
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    if (!decoded.includes(':')) return undefined;
    const token = options.tokens[decoded.slice(decoded.indexOf(':') + 1)];
    const asJob = basicUser(header) === CI_JOB_USER;
    return token && (token.kind === 'job') === asJob ? token : undefined;
  }

  /** A job token reaches its own project, and another only through that project's allowlist. */
  function jobTokenRefused(token: GitlabToken, projectId: number): string | undefined {
    if (token.kind !== 'job' || token.project === projectId || options.jobTokenAllowlist?.[projectId]?.includes(token.project!)) return undefined;
    const path = (id: number) => options.projects[id]!.split('/').pop();
    return `403 Forbidden - Authentication by CI/CD job token not allowed from ${path(token.project!)} to ${path(projectId)}.`;
  }

  /** remote_state_handler.rb#lock_matches?: no lock and no ID, or the IDs equal. */
  function lockMatches(state: StoredState, id: unknown): boolean {
    if (state.lock === undefined && id === undefined) return true;
    return (state.lock?.id ?? '') === String(id ?? '');
  }

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://gitlab');
    // Split before decoding: a URL-encoded project path (group%2Fproject) is one segment.
    const match = /^\/api\/v4\/projects\/([^/]+)\/terraform\/state\/([^/]+)(\/lock)?$/.exec(url.pathname);
    if (!match) return false;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: url.search.slice(1),
      contentType: (req.headers['content-type'] ?? '').split(';')[0]!.trim(),
      hasBasicAuth: (req.headers.authorization ?? '').startsWith('Basic '),
      user: basicUser(req.headers.authorization),
    });
    if (failures.length > 0) {
      const status = failures.shift()!;
      const page = errorPage(status);
      res.writeHead(status, page.headers);
      return res.end(page.body), true;
    }
    const isLock = match[3] !== undefined;
    const method = req.method ?? 'GET';
    const allowed = isLock ? ['POST', 'DELETE'] : ['GET', 'POST', 'DELETE'];
    // No route for other methods (tofu's default LOCK/UNLOCK): GitLab's catch-all route answers 404.
    if (!allowed.includes(method)) return send(res, 404, { error: '404 Not Found' }), true;

    const user = userOf(req);
    if (!user) return send(res, 401, { message: '401 Unauthorized' }), true;
    const projectId = projectIdOf(match[1]!);
    if (projectId === undefined) return send(res, 404, { message: '404 Project Not Found' }), true;
    const jobRefusal = jobTokenRefused(user, projectId);
    if (jobRefusal) return send(res, 403, { message: jobRefusal }), true;
    const name = decodeURIComponent(match[2]!);
    let params: Record<string, unknown>;
    try {
      params = paramsOf(req, url, body);
    } catch {
      return send(res, 400, { error: 'The provided content-type \'application/json\' is not valid JSON' }), true;
    }
    const tooLong = ['ID', 'name'].find((p) => String(p === 'name' ? name : (params[p] ?? '')).length > MAX_PARAM);
    if (tooLong) return send(res, 400, { error: `${tooLong} must be less than ${MAX_PARAM} characters` }), true;

    const key = keyOf(projectId, name);
    const writes = method !== 'GET';
    if (writes && user.role !== 'maintainer') return send(res, 403, { message: '403 Forbidden' }), true;

    if (!isLock && method === 'GET') {
      const state = states.get(key);
      if (!state) return send(res, 404, { message: '404 Not found' }), true;
      if (state.latest === undefined) return send(res, 204), true;
      return send(res, 200, state.versions.get(state.latest), true), true;
    }

    if (!isLock && method === 'POST') {
      if (body.length === 0) return send(res, 204), true;
      let serial: unknown;
      try {
        serial = (JSON.parse(body.toString('utf8')) as { serial?: unknown }).serial;
      } catch {
        return send(res, 422, { message: 'invalid JSON' }), true;
      }
      if (serial === undefined || serial === null || serial === '') return send(res, 422, { message: 'No serial in payload' }), true;
      const state: StoredState = states.get(key) ?? { versions: new Map() };
      // handle_with_lock raises StateLockedError, which state.rb does not rescue: GitLab answers 500.
      if (!lockMatches(state, params.ID)) return send(res, 500, { message: '500 Internal Server Error' }), true;
      if (state.versions.has(Number(serial))) {
        return send(res, 422, { message: 'PG::UniqueViolation: ERROR:  duplicate key value violates unique constraint "index_terraform_state_versions_on_state_id_and_version"' }), true;
      }
      state.versions.set(Number(serial), body.toString('utf8'));
      state.latest = Number(serial);
      states.set(key, state);
      return send(res, 200), true;
    }

    if (!isLock && method === 'DELETE') {
      const state = states.get(key);
      if (!state) return send(res, 404, { message: '404 Not found' }), true;
      states.delete(key);
      return send(res, 200), true;
    }

    if (isLock && method === 'POST') {
      const missing = LOCK_PARAMS.filter((p) => params[p] === undefined || params[p] === null);
      if (missing.length) return send(res, 400, { error: missing.map((p) => `${p} is missing`).join(', ') }), true;
      const state: StoredState = states.get(key) ?? { versions: new Map<number, string>() };
      states.set(key, state);
      let status = 200;
      if (state.lock) status = 409;
      else state.lock = { id: String(params.ID), username: user.username, at: new Date().toISOString() };
      // The answer is the request's lock info with ID, Who and Created of the lock that holds.
      return (
        send(res, status, {
          Operation: params.Operation,
          Info: params.Info,
          Version: params.Version,
          Path: params.Path,
          ID: state.lock.id,
          Who: state.lock.username,
          Created: state.lock.at,
        }),
        true
      );
    }

    // DELETE /lock: force-unlock sends no ID and always succeeds.
    const state: StoredState = states.get(key) ?? { versions: new Map<number, string>() };
    states.set(key, state);
    if (params.ID !== undefined && !lockMatches(state, params.ID)) return send(res, 409), true;
    state.lock = undefined;
    return send(res, 200), true;
  }

  return {
    handle,
    requests,
    state: (projectId, name) => {
      const s = states.get(keyOf(projectId, name));
      return s?.latest === undefined ? undefined : s.versions.get(s.latest);
    },
    serials: (projectId, name) => [...(states.get(keyOf(projectId, name))?.versions.keys() ?? [])].sort((a, b) => a - b),
    lockId: (projectId, name) => states.get(keyOf(projectId, name))?.lock?.id,
    lock: (projectId, name) => states.get(keyOf(projectId, name))?.lock,
    failNext: (status, times = 1) => failures.push(...Array<502 | 503>(times).fill(status)),
    putState: (projectId, name, document) => {
      const state = states.get(keyOf(projectId, name)) ?? { versions: new Map<number, string>() };
      const serial = (JSON.parse(document) as { serial: number }).serial;
      state.versions.set(serial, document);
      state.latest = serial;
      states.set(keyOf(projectId, name), state);
    },
  };
}

/** The API on its own loopback port. */
export async function startTerraformStateApi(options: TerraformStateApiOptions): Promise<TerraformStateApi> {
  const api = createTerraformStateApi(options);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!api.handle(req, res, Buffer.concat(chunks))) send(res, 404, { error: '404 Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    ...api,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

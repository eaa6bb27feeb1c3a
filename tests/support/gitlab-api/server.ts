// A local stand-in for GitLab's REST API v4: the paths, JSON shapes, pagination headers,
// authentication and error bodies of the real one, over plain http on 127.0.0.1.
// tests/integration/gitlab-api.test.ts drives it with the real @gitbeaker/rest client.
//
// Other routes mount on it: startGitLabApi({ routes: [...terraformStateRoutes] }). A
// route sees the shared GitLabData (groups, projects) through its context.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listenOnLoopback } from '../loopback.js';
import { GitLabData } from './data.js';
import { GitLabApiError, serverError } from './errors.js';
import { milestoneRoutes } from './milestones.js';
import { API_PREFIX, Router, type Route, type Tokens } from './router.js';

export { GitLabData } from './data.js';
export * from './errors.js';
export type { Route, RouteContext, RouteResult, Tokens } from './router.js';

export interface GitLabApiOptions {
  /** Valid tokens and their scopes (`api`, `read_api`, ...). */
  tokens?: Tokens;
  /** More routes, tried after the built-in ones. */
  routes?: Route[];
}

export interface RecordedRequest {
  method: string;
  /** Encoded path, /api/v4 included. */
  path: string;
  query: URLSearchParams;
  /** How a token came: `private-token`, `bearer`, `basic`, `param` or `none` (never the token itself). */
  auth: string;
}

interface InjectedFailure {
  path: RegExp;
  error: () => GitLabApiError;
  times: number;
}

export class GitLabApi {
  readonly data: GitLabData;
  readonly requests: RecordedRequest[] = [];
  private readonly router: Router;
  private readonly failures: InjectedFailure[] = [];
  private server?: Server;

  constructor(options: GitLabApiOptions = {}) {
    this.data = new GitLabData(() => this.url);
    this.router = new Router([...milestoneRoutes, ...(options.routes ?? [])], options.tokens ?? {});
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    // GitLab's nginx keeps idle connections 65 s, not Node's 5 s
    server.keepAliveTimeout = 65_000;
    this.server = await listenOnLoopback(server);
    return this;
  }

  get url(): string {
    if (!this.server) throw new Error('gitlab-api stand-in: start() first');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeServer(server);
  }

  /** The next `times` requests whose path matches answer with `error` (e.g. rateLimited(1), serverError(502)). */
  failNext(path: RegExp, error: () => GitLabApiError, times = 1): void {
    this.failures.push({ path, error, times });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests.push({ method, path: url.pathname, query: url.searchParams, auth: authKind(req, url.searchParams) });
    try {
      if (!url.pathname.startsWith(`${API_PREFIX}/`)) throw new GitLabApiError(404, { error: '404 Not Found' });
      const path = url.pathname.slice(API_PREFIX.length);
      // Rack::Attack answers before routing and authentication
      const failure = this.failures.find((f) => f.path.test(url.pathname) && f.times > 0);
      if (failure) {
        failure.times--;
        throw failure.error();
      }
      const { route, params } = this.router.match(method, path);
      this.router.authenticate(route, req.headers, url.searchParams);
      const result = await route.handle({
        method,
        params,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        path,
        apiUrl: `${this.url}${API_PREFIX}`,
        data: this.data,
      });
      send(res, result.status ?? 200, result.body, result.headers);
    } catch (error) {
      const apiError = error instanceof GitLabApiError ? error : serverError();
      send(res, apiError.status, apiError.body, apiError.headers);
    }
  }
}

function authKind(req: IncomingMessage, query: URLSearchParams): string {
  if (req.headers['private-token']) return 'private-token';
  const scheme = /^(Bearer|Basic)\s/i.exec(req.headers.authorization ?? '')?.[1]?.toLowerCase();
  if (scheme) return scheme;
  return query.has('private_token') ? 'param' : 'none';
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string';
  const payload = body === undefined ? '' : text ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': text ? 'text/plain' : 'application/json', 'Cache-Control': 'no-cache', ...headers });
  res.end(payload);
}

/** A started stand-in. */
export function startGitLabApi(options: GitLabApiOptions = {}): Promise<GitLabApi> {
  return new GitLabApi(options).start();
}

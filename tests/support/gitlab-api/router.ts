// Routes under /api/v4, token authentication and GitLab's error bodies. Other branches
// mount more routes by passing them to startGitLabApi({ routes }) (see server.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { GitLabData } from './data.js';
import { GitLabApiError, insufficientScope, noRoute, unauthorized } from './errors.js';

export const API_PREFIX = '/api/v4';

export interface RouteContext {
  method: string;
  /** Route parameters, URL-decoded (`mson%2Frunners` -> `mson/runners`). */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** The path after /api/v4, still encoded, for Link headers. */
  path: string;
  /** http://127.0.0.1:port/api/v4 */
  apiUrl: string;
  data: GitLabData;
}

export interface RouteResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  /** An HTTP method, including WebDAV's LOCK/UNLOCK (GitLab's Terraform state API uses them). */
  method: string;
  /** Below /api/v4, with `:name` parameters: `/groups/:id/milestones/:milestone_id/issues`. */
  path: string;
  /** `read`: api or read_api scope; `write`: api scope. */
  scope: 'read' | 'write';
  /** Accept the token as the password of HTTP Basic auth (GitLab does so on a few routes, e.g. Terraform state). */
  basicAuth?: boolean;
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}

/** Token -> scopes. */
export type Tokens = Record<string, string[]>;

interface Compiled {
  route: Route;
  segments: string[];
}

export class Router {
  private readonly compiled: Compiled[];

  constructor(
    routes: Route[],
    private readonly tokens: Tokens,
  ) {
    this.compiled = routes.map((route) => ({ route, segments: route.path.split('/').filter(Boolean) }));
  }

  /** The route for a method and encoded path below /api/v4, with its decoded parameters. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const parts = path.split('/').filter(Boolean);
    for (const { route, segments } of this.compiled) {
      if (route.method !== method || segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = segments.every((segment, i) => {
        if (segment.startsWith(':')) {
          params[segment.slice(1)] = decodeURIComponent(parts[i]!);
          return true;
        }
        return segment === parts[i];
      });
      if (ok) return { route, params };
    }
    throw noRoute();
  }

  /** GitLab's token lookup: PRIVATE-TOKEN header, private_token parameter, Authorization: Bearer, and Basic where the route allows. */
  authenticate(route: Route, headers: IncomingHttpHeaders, query: URLSearchParams): void {
    const token = presentedToken(route, headers, query);
    const scopes = token === undefined ? undefined : this.tokens[token];
    if (!scopes) throw unauthorized();
    const allowed = route.scope === 'read' ? ['api', 'read_api'] : ['api'];
    if (!scopes.some((s) => allowed.includes(s))) throw insufficientScope();
  }
}

function presentedToken(route: Route, headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers['private-token'];
  if (typeof header === 'string' && header) return header;
  const param = query.get('private_token');
  if (param) return param;
  const authorization = headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
  if (bearer) return bearer[1]!.trim();
  const basic = /^Basic\s+(.+)$/i.exec(authorization);
  if (basic && route.basicAuth) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

export { GitLabApiError };

// GitLab's error answers, with the bodies the real API sends (lib/api/helpers.rb,
// lib/api/api_guard.rb, lib/gitlab/rack_attack.rb, Grape's param validation).

export class GitLabApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** `unauthorized!`: no token, an unknown token, or a revoked one. */
export const unauthorized = () => new GitLabApiError(401, { message: '401 Unauthorized' });

/** A token without the scope the route needs (api_guard's InsufficientScopeError). */
export const insufficientScope = () =>
  new GitLabApiError(
    403,
    { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api read_api' },
    { 'WWW-Authenticate': 'Bearer realm="", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="api read_api"' },
  );

/** `not_found!('Group')` and friends: `{"message":"404 Group Not Found"}`. */
export const notFound = (what?: string) => new GitLabApiError(404, { message: what ? `404 ${what} Not Found` : '404 Not found' });

/** Grape's catch-all for a path no route serves. */
export const noRoute = () => new GitLabApiError(404, { error: '404 Not Found' });

/** Grape's parameter validation: `{"error":"state does not have a valid value"}`. */
export const badParam = (message: string) => new GitLabApiError(400, { error: message });

/** Rack::Attack's throttled response: text/plain "Retry later\n" with the RateLimit headers. */
export function rateLimited(retryAfterSeconds: number, now = Date.now()): GitLabApiError {
  const reset = new Date(now + retryAfterSeconds * 1000);
  return new GitLabApiError(429, 'Retry later\n', {
    'RateLimit-Name': 'throttle_authenticated_api',
    'RateLimit-Limit': '2000',
    'RateLimit-Observed': '2001',
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': String(Math.floor(reset.getTime() / 1000)),
    'RateLimit-ResetTime': reset.toUTCString(),
    'Retry-After': String(retryAfterSeconds),
  });
}

/** What an unexpected exception or a struggling Workhorse answers. */
export const serverError = (status = 500) =>
  new GitLabApiError(status, status === 500 ? { message: '500 Internal Server Error' } : { message: `${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Gateway Timeout'}` });

/**
 * The HTML page GitLab's nginx serves in place of an answer when Workhorse or Rails is down
 * (public/502.html, public/503.html of gitlab-org/gitlab): text/html, whatever the client asked for.
 */
export function errorPage(status: 502 | 503): GitLabApiError {
  const line = status === 502 ? 'Whoops, GitLab is taking too much time to respond.' : 'Whoops, GitLab is currently unavailable.';
  const page = `<!DOCTYPE html>
<html>
<head>
  <meta content="width=device-width, initial-scale=1, maximum-scale=1" name="viewport">
  <title>GitLab is not responding (${status})</title>
  <style>
    body { color: #666; text-align: center; font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; margin: auto; font-size: 14px; }
    h1 { font-size: 56px; line-height: 100px; font-weight: normal; color: #456; }
  </style>
</head>

<body>
  <img src="data:image/svg+xml;base64,PHN2ZyB3aWR0aD0iMjEwIiBoZWlnaHQ9IjIxMCIgeG1sbnM9Imh0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnIi8+" alt="GitLab Logo" />
  <h1>
    ${status}
  </h1>
  <div class="container">
    <h3>${line}</h3>
    <hr />
    <p>Try refreshing the page, or going back and attempting the action again.</p>
    <p>Please contact your GitLab administrator if this problem persists.</p>
  </div>
</body>
</html>
`;
  return new GitLabApiError(status, page, { 'Content-Type': 'text/html; charset=utf-8' });
}

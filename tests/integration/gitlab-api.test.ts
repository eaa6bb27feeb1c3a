// The GitLab stand-in against the real @gitbeaker/rest client, with gitbeaker's own
// requester: what passes here is what a client written for gitlab.com sees.
import { Gitlab } from '@gitbeaker/rest';
import { afterEach, describe, expect, it } from 'vitest';
import { startGitLabApi, type GitLabApi, type Route } from '../support/gitlab-api/server.js';

const TOKEN = 'glpat-standin-0b5e';
const servers: GitLabApi[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function gitlab(routes: Route[] = []) {
  const server = await startGitLabApi({ tokens: { [TOKEN]: ['read_api'], 'glpat-userinfo-only': ['read_user'] }, routes });
  servers.push(server);
  server.data.addGroup('mson');
  return server;
}

async function get(server: GitLabApi, path: string, headers: Record<string, string> = { 'PRIVATE-TOKEN': TOKEN }) {
  const response = await fetch(`${server.url}/api/v4${path}`, { headers });
  return { status: response.status, headers: response.headers, type: response.headers.get('content-type'), body: await response.text() };
}

describe('the GitLab API stand-in', () => {
  it('serves group milestones with GitLab\'s shape and filters, read by gitbeaker', async () => {
    const server = await gitlab();
    server.data.addMilestone('mson', 'Phase 0: Close open loops', { state: 'closed', dueDate: '2026-09-30', description: 'in-flight work' });
    server.data.addMilestone('mson', 'Phase 1: CI capacity', { dueDate: '2026-12-15', startDate: '2026-10-01' });
    server.data.addMilestone('mson', 'Backlog');
    const api = new Gitlab({ host: server.url, token: TOKEN });
    const all = (await api.GroupMilestones.all('mson')) as unknown as Array<Record<string, unknown>>;
    expect(all.map((m) => m.title)).toEqual(['Phase 0: Close open loops', 'Phase 1: CI capacity', 'Backlog']);
    expect(Object.keys(all[0]!).sort()).toEqual(['created_at', 'description', 'due_date', 'expired', 'group_id', 'id', 'iid', 'start_date', 'state', 'title', 'updated_at', 'web_url'].sort());
    expect(all[0]).toMatchObject({ iid: 1, state: 'closed', due_date: '2026-09-30', expired: true, web_url: `${server.url}/groups/mson/-/milestones/1` });
    const titles = async (options: Record<string, unknown>) => ((await api.GroupMilestones.all('mson', options as never)) as unknown as Array<{ title: string }>).map((m) => m.title);
    expect(await titles({ state: 'active' })).toEqual(['Phase 1: CI capacity', 'Backlog']);
    expect(await titles({ state: 'closed' })).toEqual(['Phase 0: Close open loops']);
    expect(await titles({ search: 'phase' })).toEqual(['Phase 0: Close open loops', 'Phase 1: CI capacity']);
    expect(await titles({ search: 'IN-FLIGHT' })).toEqual(['Phase 0: Close open loops']);
    expect(await titles({ title: 'Backlog' })).toEqual(['Backlog']);
    expect(await titles({ iids: [2, 3] })).toEqual(['Phase 1: CI capacity', 'Backlog']);
    // the numeric id works as well as the path
    const group = server.data.group('mson')!;
    expect(await api.GroupMilestones.all(group.id, { title: 'Backlog' } as never)).toHaveLength(1);
  });

  it('pages with GitLab\'s headers and Link URLs; gitbeaker follows them to the last page', async () => {
    const server = await gitlab();
    const milestone = server.data.addMilestone('mson', 'Phase 4: Lab Kubernetes');
    for (let i = 0; i < 250; i++) server.data.addIssue('mson/lab', { milestone, state: i < 10 ? 'closed' : 'opened' });
    const second = await get(server, `/groups/mson/milestones/${milestone.id}/issues?per_page=100&page=2`);
    expect(second.status).toBe(200);
    const h = (name: string) => second.headers.get(name);
    expect([h('x-page'), h('x-per-page'), h('x-next-page'), h('x-prev-page'), h('x-total'), h('x-total-pages')]).toEqual(['2', '100', '3', '1', '250', '3']);
    const base = `${server.url}/api/v4/groups/mson/milestones/${milestone.id}/issues?id=mson&milestone_id=${milestone.id}`;
    expect(h('link')).toBe(
      [`<${base}&page=1&per_page=100>; rel="prev"`, `<${base}&page=3&per_page=100>; rel="next"`, `<${base}&page=1&per_page=100>; rel="first"`, `<${base}&page=3&per_page=100>; rel="last"`].join(', '),
    );
    expect(JSON.parse(second.body)).toHaveLength(100);
    // the last page: no next
    const last = await get(server, `/groups/mson/milestones/${milestone.id}/issues?per_page=100&page=3`);
    expect([last.headers.get('x-next-page'), last.headers.get('x-prev-page')]).toEqual(['', '2']);
    expect(last.headers.get('link')).not.toContain('rel="next"');
    expect(JSON.parse(last.body)).toHaveLength(50);
    // per_page is capped at 100, the default is 20
    const capped = await get(server, `/groups/mson/milestones/${milestone.id}/issues?per_page=250`);
    expect([capped.headers.get('x-per-page'), capped.headers.get('x-total-pages'), JSON.parse(capped.body).length]).toEqual(['100', '3', 100]);
    const plain = await get(server, `/groups/mson/milestones/${milestone.id}/issues`);
    expect([plain.headers.get('x-per-page'), plain.headers.get('x-total-pages')]).toEqual(['20', '13']);

    const api = new Gitlab({ host: server.url, token: TOKEN });
    const issues = (await api.GroupMilestones.allAssignedIssues('mson', milestone.id, { perPage: 100 } as never)) as unknown as Array<Record<string, unknown>>;
    expect(issues).toHaveLength(250);
    expect(new Set(issues.map((i) => i.id)).size).toBe(250);
    expect(issues[0]).toMatchObject({ iid: 1, state: 'closed', type: 'ISSUE', references: { short: '#1', relative: 'lab#1', full: 'mson/lab#1' }, milestone: { id: milestone.id, title: 'Phase 4: Lab Kubernetes' } });
    const pages = server.requests.filter((r) => r.path.endsWith('/issues') && r.auth === 'private-token').slice(-3);
    expect(pages.map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2', '3']);
  });

  it('refuses bad parameters like Grape does', async () => {
    const server = await gitlab();
    const milestone = server.data.addMilestone('mson', 'Phase 0');
    const cases: Array<[string, string]> = [
      ['/groups/mson/milestones?state=open', '{"error":"state does not have a valid value"}'],
      ['/groups/mson/milestones?page=0', '{"error":"page does not have a valid value"}'],
      ['/groups/mson/milestones?per_page=0', '{"error":"per_page has a value not allowed"}'],
      ['/groups/mson/milestones?per_page=many', '{"error":"per_page is invalid"}'],
      ['/groups/mson/milestones?iids=1,x', '{"error":"iids is invalid"}'],
      [`/groups/mson/milestones/abc/issues`, '{"error":"milestone_id is invalid"}'],
    ];
    for (const [path, body] of cases) expect(await get(server, path), path).toMatchObject({ status: 400, body });
    expect((await get(server, `/groups/mson/milestones/${milestone.id}/issues?page=7`)).body).toBe('[]');
  });

  it('answers GitLab\'s errors: 401, 403 insufficient scope, 404 group/project/issue/route, 429 Retry later', async () => {
    const server = await gitlab();
    server.data.addIssue('mson/runners', { iid: 5 });
    expect(await get(server, '/groups/mson/milestones', {})).toMatchObject({ status: 401, body: '{"message":"401 Unauthorized"}', type: 'application/json' });
    expect(await get(server, '/groups/mson/milestones', { 'PRIVATE-TOKEN': 'glpat-wrong' })).toMatchObject({ status: 401, body: '{"message":"401 Unauthorized"}' });
    // a token with read_user only
    const scoped = await get(server, '/groups/mson/milestones', { Authorization: 'Bearer glpat-userinfo-only' });
    expect(scoped.status).toBe(403);
    expect(JSON.parse(scoped.body)).toMatchObject({ error: 'insufficient_scope' });
    // Bearer and the private_token parameter work like PRIVATE-TOKEN
    expect((await get(server, '/groups/mson/milestones', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await get(server, `/groups/mson/milestones?private_token=${TOKEN}`, {})).status).toBe(200);
    expect(await get(server, '/groups/nobody/milestones')).toMatchObject({ status: 404, body: '{"message":"404 Group Not Found"}' });
    expect(await get(server, '/groups/mson/milestones/999/issues')).toMatchObject({ status: 404, body: '{"message":"404 Not found"}' });
    expect(await get(server, '/projects/mson%2Fnope/issues/5')).toMatchObject({ status: 404, body: '{"message":"404 Project Not Found"}' });
    expect(await get(server, '/projects/mson%2Frunners/issues/6')).toMatchObject({ status: 404, body: '{"message":"404 Not found"}' });
    expect(await get(server, '/projects/mson%2Frunners/issues/5')).toMatchObject({ status: 200 });
    expect(await get(server, '/groups/mson/epics')).toMatchObject({ status: 404, body: '{"error":"404 Not Found"}' });

    const api = new Gitlab({ host: server.url, token: 'glpat-wrong' });
    await expect(api.GroupMilestones.all('mson')).rejects.toMatchObject({ name: 'GitbeakerRequestError', message: '401 Unauthorized' });
    const { rateLimited } = await import('../support/gitlab-api/errors.js');
    server.failNext(/\/milestones$/, () => rateLimited(7));
    const limited = await get(server, '/groups/mson/milestones');
    expect(limited).toMatchObject({ status: 429, body: 'Retry later\n', type: 'text/plain' });
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('mounts more routes, e.g. another branch\'s, with the same authentication', async () => {
    const route: Route = {
      method: 'LOCK',
      path: '/projects/:id/terraform/state/:name',
      scope: 'write',
      basicAuth: true,
      handle: (ctx) => ({ body: { locked: `${ctx.params.id}/${ctx.params.name}` } }),
    };
    const server = await gitlab([route]);
    const basic = Buffer.from(`gitlab-ci-token:${TOKEN}`).toString('base64');
    const lock = (auth: string) => fetch(`${server.url}/api/v4/projects/mson%2Finfra/terraform/state/lab`, { method: 'LOCK', headers: { Authorization: auth } });
    // read_api is not enough to write
    expect((await lock(`Basic ${basic}`)).status).toBe(403);
    const writer = await startGitLabApi({ tokens: { [TOKEN]: ['api'] }, routes: [route] });
    servers.push(writer);
    const ok = await fetch(`${writer.url}/api/v4/projects/mson%2Finfra/terraform/state/lab`, { method: 'LOCK', headers: { Authorization: `Basic ${basic}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ locked: 'mson/infra/lab' });
  });
});

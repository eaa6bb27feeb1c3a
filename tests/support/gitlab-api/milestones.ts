// Group milestones and issues (lib/api/group_milestones.rb, milestone_responses.rb,
// lib/api/issues.rb): the routes `foundation roadmap` reads.
import { badParam, notFound } from './errors.js';
import { paginate } from './pagination.js';
import type { Route, RouteContext, RouteResult } from './router.js';

const STATES = ['active', 'closed', 'all'];

function userGroup(ctx: RouteContext) {
  const group = ctx.data.group(ctx.params.id!);
  if (!group) throw notFound('Group');
  return group;
}

/** Grape coerces `:milestone_id` to Integer: anything else is a 400. */
function integerRouteParam(ctx: RouteContext, name: string): number {
  const raw = ctx.params[name]!;
  if (!/^\d+$/.test(raw)) throw badParam(`${name} is invalid`);
  return Number(raw);
}

/** `iids[]=1&iids[]=2` or `iids=1,2` (CommaSeparatedToIntegerArray). */
function iidsParam(query: URLSearchParams): number[] | undefined {
  const values = [...query.getAll('iids[]'), ...query.getAll('iids')].flatMap((v) => v.split(','));
  if (values.length === 0) return undefined;
  if (!values.every((v) => /^\d+$/.test(v.trim()))) throw badParam('iids is invalid');
  return values.map(Number);
}

function page<T>(ctx: RouteContext, items: T[], declared: Record<string, string>, toJson: (item: T) => unknown): RouteResult {
  const params = { ...declared };
  for (const [key, value] of ctx.query) if (!(key in params)) params[key] = value;
  const { items: slice, headers } = paginate(items, ctx.apiUrl, ctx.path, params, ctx.query);
  return { body: slice.map(toJson), headers };
}

export const milestoneRoutes: Route[] = [
  {
    method: 'GET',
    path: '/groups/:id/milestones',
    scope: 'read',
    handle(ctx) {
      const group = userGroup(ctx);
      const state = ctx.query.get('state') ?? 'all';
      if (!STATES.includes(state)) throw badParam('state does not have a valid value');
      const iids = iidsParam(ctx.query);
      const title = ctx.query.get('title');
      const search = ctx.query.get('search')?.toLowerCase();
      const milestones = ctx.data.milestones
        .filter((m) => m.groupId === group.id)
        .filter((m) => state === 'all' || m.state === state)
        .filter((m) => !iids || iids.includes(m.iid))
        .filter((m) => title === null || m.title === title)
        .filter((m) => !search || m.title.toLowerCase().includes(search) || m.description.toLowerCase().includes(search))
        // MilestonesFinder: due date first (none last), then newest first
        .sort((a, b) => (a.dueDate ?? '9999') .localeCompare(b.dueDate ?? '9999') || b.id - a.id);
      const declared = { id: ctx.params.id!, state, include_parent_milestones: ctx.query.get('include_parent_milestones') ?? 'false' };
      return page(ctx, milestones, declared, (m) => ctx.data.milestoneJson(m));
    },
  },
  {
    method: 'GET',
    path: '/groups/:id/milestones/:milestone_id/issues',
    scope: 'read',
    handle(ctx) {
      const group = userGroup(ctx);
      const milestoneId = integerRouteParam(ctx, 'milestone_id');
      // `parent.milestones.find(id)`: the global milestone id, and only this group's
      const milestone = ctx.data.milestones.find((m) => m.id === milestoneId && m.groupId === group.id);
      if (!milestone) throw notFound();
      const issues = ctx.data.issues.filter((i) => i.milestoneId === milestone.id).sort((a, b) => a.id - b.id);
      return page(ctx, issues, { id: ctx.params.id!, milestone_id: String(milestoneId) }, (i) => ctx.data.issueJson(i));
    },
  },
  {
    method: 'GET',
    path: '/projects/:id/issues/:issue_iid',
    scope: 'read',
    handle(ctx) {
      const project = ctx.data.project(ctx.params.id!);
      if (!project) throw notFound('Project');
      const iid = integerRouteParam(ctx, 'issue_iid');
      const issue = ctx.data.issues.find((i) => i.projectId === project.id && i.iid === iid);
      if (!issue) throw notFound();
      return { body: ctx.data.issueJson(issue) };
    },
  },
];

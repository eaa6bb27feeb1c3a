// Reads the roadmap's GitLab side with @gitbeaker/rest (imported here, on demand): the
// group's milestones, every page of each phase milestone's issues, and the single issues
// the roadmap names (partial dependencies, the exit proof).
import { FoundationError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { registerSecret } from '../ui/redact.js';
import { parseIssueReference, type RoadmapConfig } from './config.js';
import { DEFAULT_RETRY, GitLabHttpError, GitLabUnreachableError, retryingRequestHandler, type RetryPolicy } from './gitlab-requester.js';
import type { GitLabView, IssueInfo, MilestoneInfo } from './model.js';

export const DEFAULT_GITLAB_URL = 'https://gitlab.com';
/** GitLab's largest page. */
const PER_PAGE = 100;

export interface GitLabSource {
  url: string;
  token: string;
}

/** GITLAB_URL (default gitlab.com) and GITLAB_TOKEN; the token is registered for redaction at once. */
export function gitLabSourceFromEnv(env: NodeJS.ProcessEnv = process.env): GitLabSource {
  const token = env.GITLAB_TOKEN ?? '';
  registerSecret(token);
  const raw = (env.GITLAB_URL || DEFAULT_GITLAB_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FoundationError(`GITLAB_URL "${raw}" is not a URL`, 'set GITLAB_URL to the GitLab instance, e.g. https://gitlab.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FoundationError(`GITLAB_URL "${raw}" is not an http(s) URL`, 'set GITLAB_URL to the GitLab instance, e.g. https://gitlab.com');
  if (!token) {
    throw new FoundationError('GITLAB_TOKEN is not set', `set GITLAB_TOKEN to a token with the read_api scope for ${raw}, or render a saved snapshot with --offline FILE`);
  }
  return { url: raw, token };
}

interface ApiMilestone {
  id: number;
  iid: number;
  title: string;
  state: 'active' | 'closed';
  due_date: string | null;
  start_date: string | null;
  web_url: string;
}

interface ApiIssue {
  iid: number;
  title: string;
  state: 'opened' | 'closed';
  web_url: string;
  references?: { full?: string };
  assignees?: Array<{ username: string }>;
}

export async function readGitLab(roadmap: RoadmapConfig, source: GitLabSource, policy: RetryPolicy = DEFAULT_RETRY): Promise<GitLabView> {
  const { Gitlab } = await import('@gitbeaker/rest');
  const { createRequesterFn } = await import('@gitbeaker/requester-utils');
  const requesterFn = createRequesterFn((_service, options) => Promise.resolve(options), retryingRequestHandler(policy, printErr));
  const api = new Gitlab({ host: source.url, token: source.token, requesterFn });
  const group = roadmap.gitlab.group;
  const fail = (error: unknown, what: string) => toFoundationError(error, source.url, what);

  const milestones = (await api.GroupMilestones.all(group, { state: 'all', perPage: PER_PAGE }).catch((e: unknown) => {
    throw fail(e, `group ${group}`);
  })) as unknown as ApiMilestone[];

  const phaseTitles = new Set(roadmap.phases.map((p) => p.milestone));
  const issues: Record<string, IssueInfo[]> = {};
  await Promise.all(
    milestones
      .filter((m) => phaseTitles.has(m.title))
      .map(async (m) => {
        const list = (await api.GroupMilestones.allAssignedIssues(group, m.id, { perPage: PER_PAGE } as never).catch((e: unknown) => {
          throw fail(e, `the issues of milestone "${m.title}"`);
        })) as unknown as ApiIssue[];
        issues[String(m.id)] = list.map((i) => issueInfo(i));
      }),
  );

  const references = [...new Set([...roadmap.phases.flatMap((p) => p.partialDependencies.map((d) => d.issue)), roadmap.exitProof.issue])];
  const referenced: Record<string, IssueInfo | null> = {};
  await Promise.all(
    references.map(async (reference) => {
      const { project, iid } = parseIssueReference(reference);
      try {
        referenced[reference] = issueInfo((await api.Issues.show(iid, { projectId: project })) as unknown as ApiIssue, reference);
      } catch (error) {
        // a missing project or issue is a finding of the roadmap, not a failure of the run
        if (error instanceof GitLabHttpError && error.status === 404) referenced[reference] = null;
        else throw fail(error, `issue ${reference}`);
      }
    }),
  );

  return { url: source.url, group, milestones: milestones.map(milestoneInfo), issues, referenced };
}

function milestoneInfo(m: ApiMilestone): MilestoneInfo {
  return { id: m.id, iid: m.iid, title: m.title, state: m.state, dueDate: m.due_date, startDate: m.start_date, webUrl: m.web_url };
}

function issueInfo(i: ApiIssue, reference?: string): IssueInfo {
  return {
    reference: reference ?? i.references?.full ?? referenceFromUrl(i),
    title: i.title,
    state: i.state === 'closed' ? 'closed' : 'opened',
    webUrl: i.web_url,
    assignees: (i.assignees ?? []).map((a) => a.username),
  };
}

/** Older GitLab versions send no `references`: https://host/mson/runners/-/issues/5 -> mson/runners#5. */
function referenceFromUrl(i: ApiIssue): string {
  const match = /^https?:\/\/[^/]+\/(.+)\/-\/issues\/(\d+)$/.exec(i.web_url);
  return match ? `${match[1]}#${match[2]}` : `#${i.iid}`;
}

/** One line for what went wrong, and what to do; never the token. */
function toFoundationError(error: unknown, url: string, what: string): FoundationError {
  if (error instanceof FoundationError) return error;
  if (error instanceof GitLabUnreachableError) {
    return new FoundationError(`GitLab at ${url} is unreachable (${error.reason})`, 'check GITLAB_URL and the network; run again with --debug for details');
  }
  if (!(error instanceof GitLabHttpError)) return new FoundationError(`reading ${what} from GitLab at ${url} failed: ${(error as Error)?.message?.split('\n')[0]}`, 'run again with --debug for details');
  const status = error.statusLine;
  switch (error.status) {
    case 401:
      return new FoundationError(`GitLab at ${url} refused the token: ${status}`, 'GITLAB_TOKEN is unknown, expired or revoked: set it to a valid token with the read_api scope');
    case 403:
      return new FoundationError(`GitLab at ${url} denied reading ${what}: ${status}`, 'the token needs the read_api scope and access to the group');
    case 404:
      return new FoundationError(`GitLab at ${url} has no ${what}, or the token cannot see it: ${status}`, 'check roadmap.gitlab.group in foundation.yaml, GITLAB_URL, and that the token\'s user is a member of the group');
    case 429:
      return new FoundationError(
        `GitLab at ${url} is rate limiting: HTTP 429 after ${error.attempts} attempt${error.attempts > 1 ? 's' : ''}${error.retryAfterMs !== undefined ? ` (Retry-After ${Math.ceil(error.retryAfterMs / 1000)}s)` : ''}`,
        'wait for the rate limit to reset and run again',
      );
    default:
      return new FoundationError(`GitLab at ${url} failed reading ${what}: ${status} after ${error.attempts} attempt${error.attempts > 1 ? 's' : ''}`, error.status >= 500 ? 'GitLab is having trouble; run again later' : 'run again with --debug for details');
  }
}

// The objects the stand-in serves: groups, projects, group milestones and issues, kept
// in memory, and their JSON as the API presents it (lib/api/entities/milestone.rb,
// issue_basic.rb, issuable_references.rb).

export interface Group {
  id: number;
  fullPath: string;
}

export interface Project {
  id: number;
  /** e.g. "mson/runners" */
  fullPath: string;
  groupId: number;
}

export interface Milestone {
  id: number;
  iid: number;
  groupId: number;
  title: string;
  description: string;
  state: 'active' | 'closed';
  dueDate: string | null;
  startDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Issue {
  id: number;
  iid: number;
  projectId: number;
  title: string;
  description: string;
  state: 'opened' | 'closed';
  milestoneId: number | null;
  labels: string[];
  assignees: string[];
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

const CREATED = '2026-01-05T09:00:00.000Z';

export class GitLabData {
  readonly groups: Group[] = [];
  readonly projects: Project[] = [];
  readonly milestones: Milestone[] = [];
  readonly issues: Issue[] = [];
  private nextId = 1;

  constructor(readonly webUrl: () => string) {}

  addGroup(fullPath: string): Group {
    const group = { id: this.nextId++, fullPath };
    this.groups.push(group);
    return group;
  }

  addProject(fullPath: string): Project {
    const groupPath = fullPath.split('/').slice(0, -1).join('/');
    const group = this.groups.find((g) => g.fullPath === groupPath) ?? this.addGroup(groupPath);
    const project = { id: this.nextId++, fullPath, groupId: group.id };
    this.projects.push(project);
    return project;
  }

  addMilestone(groupPath: string, title: string, options: { state?: 'active' | 'closed'; dueDate?: string | null; startDate?: string | null; description?: string } = {}): Milestone {
    const group = this.groups.find((g) => g.fullPath === groupPath) ?? this.addGroup(groupPath);
    const milestone: Milestone = {
      id: this.nextId++,
      iid: this.milestones.filter((m) => m.groupId === group.id).length + 1,
      groupId: group.id,
      title,
      description: options.description ?? '',
      state: options.state ?? 'active',
      dueDate: options.dueDate ?? null,
      startDate: options.startDate ?? null,
      createdAt: CREATED,
      updatedAt: CREATED,
    };
    this.milestones.push(milestone);
    return milestone;
  }

  /** An issue in a project (created on first use), optionally in a milestone. */
  addIssue(projectPath: string, options: { iid?: number; title?: string; state?: 'opened' | 'closed'; milestone?: Milestone; labels?: string[]; assignees?: string[] } = {}): Issue {
    const project = this.projects.find((p) => p.fullPath === projectPath) ?? this.addProject(projectPath);
    const iid = options.iid ?? Math.max(0, ...this.issues.filter((i) => i.projectId === project.id).map((i) => i.iid)) + 1;
    if (this.issues.some((i) => i.projectId === project.id && i.iid === iid)) throw new Error(`gitlab-api stand-in: ${projectPath}#${iid} exists`);
    const state = options.state ?? 'opened';
    const issue: Issue = {
      id: this.nextId++,
      iid,
      projectId: project.id,
      title: options.title ?? `${projectPath.split('/').pop()} issue ${iid}`,
      description: '',
      state,
      milestoneId: options.milestone?.id ?? null,
      labels: options.labels ?? [],
      assignees: options.assignees ?? [],
      dueDate: null,
      createdAt: CREATED,
      updatedAt: CREATED,
      closedAt: state === 'closed' ? '2026-03-01T12:00:00.000Z' : null,
    };
    this.issues.push(issue);
    return issue;
  }

  /** Closes or reopens an issue, as a user would. */
  setIssueState(projectPath: string, iid: number, state: 'opened' | 'closed'): void {
    const issue = this.findIssue(projectPath, iid);
    if (!issue) throw new Error(`gitlab-api stand-in: no issue ${projectPath}#${iid}`);
    issue.state = state;
    issue.closedAt = state === 'closed' ? new Date().toISOString() : null;
  }

  findIssue(projectPath: string, iid: number): Issue | undefined {
    const project = this.projects.find((p) => p.fullPath === projectPath);
    return project && this.issues.find((i) => i.projectId === project.id && i.iid === iid);
  }

  /** `:id` of a group route: a numeric id or the URL-decoded full path. */
  group(id: string): Group | undefined {
    return this.groups.find((g) => String(g.id) === id || g.fullPath === id);
  }

  project(id: string): Project | undefined {
    return this.projects.find((p) => String(p.id) === id || p.fullPath === id);
  }

  // ---- entities ----

  milestoneJson(m: Milestone, today = new Date().toISOString().slice(0, 10)): Record<string, unknown> {
    const group = this.groups.find((g) => g.id === m.groupId)!;
    return {
      id: m.id,
      iid: m.iid,
      group_id: m.groupId,
      title: m.title,
      description: m.description,
      state: m.state,
      created_at: m.createdAt,
      updated_at: m.updatedAt,
      due_date: m.dueDate,
      start_date: m.startDate,
      expired: m.dueDate !== null && m.dueDate < today,
      web_url: `${this.webUrl()}/groups/${group.fullPath}/-/milestones/${m.iid}`,
    };
  }

  issueJson(issue: Issue): Record<string, unknown> {
    const project = this.projects.find((p) => p.id === issue.projectId)!;
    const milestone = this.milestones.find((m) => m.id === issue.milestoneId);
    const user = (username: string, id: number) => ({ id, username, name: username, state: 'active', locked: false, avatar_url: null, web_url: `${this.webUrl()}/${username}` });
    const assignees = issue.assignees.map((name, i) => user(name, 100 + i));
    return {
      id: issue.id,
      iid: issue.iid,
      project_id: issue.projectId,
      title: issue.title,
      description: issue.description,
      state: issue.state,
      created_at: issue.createdAt,
      updated_at: issue.updatedAt,
      closed_at: issue.closedAt,
      closed_by: issue.state === 'closed' ? user('closer', 99) : null,
      labels: [...issue.labels].sort(),
      milestone: milestone ? this.milestoneJson(milestone) : null,
      assignees,
      author: user('author', 98),
      type: 'ISSUE',
      assignee: assignees[0] ?? null,
      user_notes_count: 0,
      merge_requests_count: 0,
      upvotes: 0,
      downvotes: 0,
      due_date: issue.dueDate,
      confidential: false,
      discussion_locked: null,
      issue_type: 'issue',
      web_url: `${this.webUrl()}/${project.fullPath}/-/issues/${issue.iid}`,
      time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
      task_completion_status: { count: 0, completed_count: 0 },
      references: { short: `#${issue.iid}`, relative: `${project.fullPath.split('/').pop()}#${issue.iid}`, full: `${project.fullPath}#${issue.iid}` },
      severity: 'UNKNOWN',
    };
  }
}

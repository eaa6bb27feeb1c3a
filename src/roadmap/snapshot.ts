// `--offline F`: a report saved from `foundation roadmap --json`, checked before it is
// rendered so a wrong or truncated file is one clear error, not a crash.
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { FoundationError } from '../ui/errors.js';
import type { RoadmapReport } from './model.js';

const state = v.picklist(['done', 'in progress', 'not started', 'blocked']);
const issue = v.object({ reference: v.string(), title: v.string(), state: v.picklist(['opened', 'closed']), webUrl: v.string(), assignees: v.array(v.string()) });
const nullableString = v.nullable(v.string());

const reportSchema = v.object({
  schemaVersion: v.literal(1),
  generatedAt: v.string(),
  today: v.string(),
  gitlab: v.object({ url: v.string(), group: v.string() }),
  phases: v.array(
    v.object({
      number: v.number(),
      title: v.string(),
      milestone: v.object({ title: v.string(), found: v.boolean(), state: v.nullable(v.picklist(['active', 'closed'])), webUrl: nullableString }),
      state,
      closed: v.number(),
      total: v.number(),
      percent: v.number(),
      dueDate: nullableString,
      overdue: v.boolean(),
      dependsOn: v.array(v.number()),
      blockedBy: v.array(v.object({ phase: v.number(), title: v.string(), state })),
      partialDependencies: v.array(v.object({ issue: v.string(), phase: v.number(), reason: nullableString, issueState: v.picklist(['opened', 'closed', 'missing']), waiting: v.boolean() })),
      openIssues: v.array(issue),
      onCriticalPath: v.boolean(),
      flag: nullableString,
    }),
  ),
  criticalPath: v.object({
    steps: v.array(v.object({ phase: v.number(), title: v.string(), state, openIssues: v.number(), via: nullableString })),
    openIssues: v.number(),
    exitProof: v.string(),
  }),
  exitProof: v.object({
    issue: v.string(),
    phase: v.number(),
    state: v.picklist(['opened', 'closed', 'missing']),
    title: nullableString,
    webUrl: nullableString,
    liveCheck: v.object({ context: v.string(), namespace: v.string(), deployment: v.string(), passed: v.boolean(), detail: v.string() }),
  }),
  complete: v.boolean(),
  warnings: v.array(v.object({ kind: v.string(), message: v.string() })),
});

export function readSnapshot(file: string): RoadmapReport {
  const hint = 'save one with "foundation roadmap --json > FILE" and pass that file';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FoundationError(`cannot read roadmap snapshot ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, hint);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new FoundationError(`roadmap snapshot ${file} is not JSON`, hint);
  }
  const result = v.safeParse(reportSchema, parsed);
  if (!result.success) {
    const issue = result.issues[0]!;
    const what = issue.received === 'undefined' ? 'is missing' : `expected ${issue.expected}, got ${issue.received}`;
    throw new FoundationError(`roadmap snapshot ${file}: field "${v.getDotPath(issue) ?? '(top level)'}": ${what}`, hint);
  }
  // the file as saved, key order included: `--offline --json` prints it back unchanged
  return parsed as RoadmapReport;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backendKindFor, legacyNotice } from '../backends/backend-kind.js';
import { gitlabStateLocation, readGitlabCredentials } from '../backends/gitlab-http.js';
import { fetchGitlabState, lockGitlabState } from './gitlab-state-api.js';
import { planS3BackendFiles } from '../backends/materialize.js';
import { createS3Client } from '../backends/s3-client.js';
import { probeBucket } from '../backends/s3-probe.js';
import { putStateObject, readStateObject } from './s3-state.js';
import { compareStates, parseState, type StateSummary } from './state-file.js';
import type { GlobalOptions } from '../config/global-options.js';
import { loadProject } from '../config/load.js';
import { requireStack, resolveEnv } from '../config/resolve.js';
import { describeSummary, planHasChanges, type PlanSummary } from '../tofu/plan-summary.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { loadRunContext } from '../orchestrate/run-context.js';
import { planStack } from '../orchestrate/stack-workflow.js';
import type { OutputSink } from '../ui/stack-io.js';

export interface MigrationEvidence {
  stack: string;
  env: string;
  from: { backend: 'gitlab-http'; address: string; lineage: string; serial: number; resources: string[] };
  to: { backend: 's3'; bucket: string; key: string; lineage: string; serial: number; resources: string[] };
  equal: { lineage: boolean; serial: boolean; resources: boolean };
  /**
   * The plan against the S3 state right after the copy. Changes here are the repository
   * differing from the state (the copy is proven by `equal`): a warning, not a failure.
   */
  plan: { changes: boolean; summary: PlanSummary; text: string };
  /** stack.yaml is the operator's to change; the migration proves it did not. */
  stackFileUnchanged: boolean;
  /** Whether this run copied the state (false: S3 already held exactly this state). */
  copied: boolean;
  /** The copy is proven: lineage, serial and resources equal, stack.yaml untouched. */
  ok: boolean;
}

/**
 * Moves a stack's state from GitLab's HTTP state API to S3, then proves it: the S3 state
 * has the same lineage, serial and resources as the GitLab state read before, and tofu
 * plans against it (its pending changes, if any, are the repository's, reported apart).
 * Everything that can refuse is checked before the first file is written. The GitLab
 * state is left in place and stack.yaml is not touched.
 *
 * The copy is the state document read under GitLab's lock, written byte for byte to the
 * stack's S3 key with If-None-Match: * (never over an existing object). Not tofu's
 * `init -migrate-state` nor `state push`: terraform 1.11 writes the copy with a new lineage
 * through both (seen against this project's tests), and lineage is what ties later plans,
 * versions and restores to this state. The plan after it inits the S3 backend.
 */
export async function migrateState(global: GlobalOptions, name: string, write: OutputSink): Promise<MigrationEvidence> {
  installSignalHandlers();
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const stack = requireStack(project, name);
  if (backendKindFor(stack, env) !== 'gitlab-http') {
    throw new FoundationError(
      `stack "${stack.name}" has no legacy state to migrate in ENV ${env}: ${stack.file} does not say backend.${env}: gitlab-http`,
      'migration reads the GitLab state of stacks still configured for it; this stack already uses S3',
    );
  }
  printErr(legacyNotice(stack.name));
  const stackFile = path.join(project.dir, stack.file);
  const stackFileBefore = readFileSync(stackFile, 'utf8');
  const location = gitlabStateLocation(stack, env);
  const gitlab = readGitlabCredentials();
  const ctx = loadRunContext(global, project);
  await probeBucket(ctx.location, ctx.credentials, ctx.backendEnv);

  const legacyText = await fetchGitlabState(location, gitlab);
  if (legacyText === undefined) {
    throw new FoundationError(
      `there is no legacy state for stack "${stack.name}" in ENV ${env}: GitLab has no state "${location.stateName}" in project ${location.project}`,
      `check gitlab.project and gitlab.stateName in ${stack.file}; nothing was changed`,
    );
  }
  const from = parseState(legacyText, `GitLab state "${location.stateName}"`);
  const s3Files = planS3BackendFiles(stack, env, ctx.location);
  const client = await createS3Client(ctx.location, ctx.credentials);
  const where = `s3://${ctx.location.bucket}/${s3Files.key}`;
  try {
    const existing = await readStateObject(client, ctx.location.bucket, s3Files.key);
    const already = existing ? parseState(existing.body, `the state at ${where}`) : undefined;
    if (already && (already.lineage !== from.lineage || already.serial !== from.serial)) {
      throw new FoundationError(
        `S3 already holds a state for stack "${stack.name}" at ${where} (lineage ${already.lineage}, serial ${already.serial}); the GitLab state has lineage ${from.lineage}, serial ${from.serial}`,
        'refusing to overwrite it; move or delete that object first if the GitLab state is the one to keep; nothing was changed',
      );
    }

    if (!already) {
      const unlock = await lockGitlabState(location, gitlab, 'OperationTypeMigrate');
      try {
        // Read again under the lock: this is the state that is copied.
        const locked = await fetchGitlabState(location, gitlab);
        if (locked === undefined || parseState(locked, `GitLab state "${location.stateName}"`).serial !== from.serial) {
          throw new FoundationError(`the GitLab state "${location.stateName}" changed while the migration started`, 'run the migration again; nothing was changed');
        }
        await putStateObject(
          client,
          ctx.location.bucket,
          s3Files.key,
          locked,
          { ifNoneMatch: '*' },
          new FoundationError(`a state appeared at ${where} while migrating; it was not overwritten`, 'find out who wrote it ("foundation state pull <stack>") before migrating again'),
        );
      } finally {
        await unlock();
      }
    }

    const copied = await readStateObject(client, ctx.location.bucket, s3Files.key);
    if (!copied) throw new FoundationError(`the state written to ${where} is gone`, 'someone removed it right after the copy; the GitLab state is unchanged, run the migration again');
    const to = parseState(copied.body, `the state at ${where}`);
    const plan = await planAgainstS3(ctx, stack, s3Files, write);
    const equal = compareStates(from, to);
    const stackFileUnchanged = readFileSync(stackFile, 'utf8') === stackFileBefore;
    return {
      stack: stack.name,
      env,
      from: { backend: 'gitlab-http', address: location.address, ...brief(from) },
      to: { backend: 's3', bucket: ctx.location.bucket, key: s3Files.key, ...brief(to) },
      equal,
      plan,
      stackFileUnchanged,
      copied: !already,
      ok: equal.lineage && equal.serial && equal.resources && stackFileUnchanged,
    };
  } finally {
    client.destroy();
  }
}

function brief(state: StateSummary): { lineage: string; serial: number; resources: string[] } {
  return { lineage: state.lineage, serial: state.serial, resources: state.resources };
}

/** A plan into a throw-away file: the evidence that tofu sees the copied state as its own. */
async function planAgainstS3(
  ctx: ReturnType<typeof loadRunContext>,
  stack: ReturnType<typeof requireStack>,
  files: ReturnType<typeof planS3BackendFiles>,
  write: OutputSink,
): Promise<MigrationEvidence['plan']> {
  const dir = mkdtempSync(path.join(tmpdir(), 'foundation-migrate-'));
  try {
    const outcome = await planStack(ctx, stack, files, { write, phase: () => {} }, { out: path.join(dir, 'check.tfplan') });
    return { changes: planHasChanges(outcome.summary), summary: outcome.summary, text: describeSummary(outcome.summary) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


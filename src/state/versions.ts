import type { S3Client } from '@aws-sdk/client-s3';
import type { GlobalOptions } from '../config/global-options.js';
import { loadProject } from '../config/load.js';
import { type Stack } from '../config/project.js';
import { requireStack, requireStateKey, resolveEnv } from '../config/resolve.js';
import { FoundationError } from '../ui/errors.js';
import { legacyBackendRefusal } from '../backends/backend-kind.js';
import { createS3Client } from '../backends/s3-client.js';
import { probeBucket } from '../backends/s3-probe.js';
import { backendEnvNames, readS3Settings, type S3Location } from '../backends/s3-settings.js';
import { listVersions, objectExists, putStateObject, readCurrentObject, readStateObject, requireVersioning, type StateObject } from './s3-state.js';
import { parseState, withSerial } from './state-file.js';

/** A stack's S3 state for one ENV, with a client that has passed HeadBucket. */
export interface StackState {
  stack: Stack;
  env: string;
  location: S3Location;
  key: string;
  client: S3Client;
}

export async function openStackState(global: GlobalOptions, name: string): Promise<StackState> {
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const stack = requireStack(project, name);
  const legacy = legacyBackendRefusal(stack, env);
  if (legacy) throw legacy;
  const key = requireStateKey(stack, env);
  const { location, credentials } = readS3Settings(project, env, { credentials: true });
  await probeBucket(location, credentials!, backendEnvNames(project, env));
  return { stack, env, location, key, client: await createS3Client(location, credentials!) };
}

export interface StateVersionRow {
  versionId: string;
  lastModified: string;
  size: number;
  latest: boolean;
  deleteMarker: boolean;
  /** From the version's content; null for a delete marker or a document that is not a state. */
  serial: number | null;
  lineage: string | null;
}

/** Every version of the stack's state, newest first, with the serial and lineage inside each. */
export async function stateVersions(state: StackState): Promise<StateVersionRow[]> {
  await requireVersioning(state.client, state.location.bucket);
  const versions = await listVersions(state.client, state.location.bucket, state.key);
  const rows: StateVersionRow[] = [];
  for (const version of versions) {
    let serial: number | null = null;
    let lineage: string | null = null;
    if (!version.deleteMarker) {
      const object = await readStateObject(state.client, state.location.bucket, state.key, version.versionId);
      try {
        ({ serial, lineage } = parseState(object?.body ?? '', 'version'));
      } catch {
        // Not a state document: listed with its time and size, without serial and lineage.
      }
    }
    rows.push({ ...version, serial, lineage });
  }
  return rows;
}

/** The latest state, or one version of it. */
export async function pullState(state: StackState, versionId?: string): Promise<StateObject> {
  if (versionId) await requireVersioning(state.client, state.location.bucket);
  const object = versionId ? await readStateObject(state.client, state.location.bucket, state.key, versionId) : await readCurrentObject(state.client, state.location.bucket, state.key);
  if (object === 'deleted') throw deletedError(state);
  if (!object) {
    throw new FoundationError(`stack "${state.stack.name}" has no state in ENV ${state.env} (s3://${state.location.bucket}/${state.key})`, 'apply the stack first, or check its state key with "foundation state key"');
  }
  return object;
}

function deletedError(state: StackState): FoundationError {
  return new FoundationError(
    `the state of stack "${state.stack.name}" in ENV ${state.env} was deleted: the current version of s3://${state.location.bucket}/${state.key} is a delete marker`,
    `"foundation state versions ${state.stack.name}" lists the versions before it; "foundation state restore ${state.stack.name} --version-id <id>" brings one back`,
  );
}

/** What a restore writes over: the current state, or a deleted one (its current version a delete marker). */
export type RestoreBase =
  | { deleted: false; versionId?: string; serial: number; etag: string }
  | { deleted: true; markerVersionId: string; serial: number };

export interface RestorePlan {
  from: { versionId: string; serial: number; lastModified?: string };
  /** For a deleted state, `serial` is the highest serial among the versions. */
  current: RestoreBase;
  lineage: string;
  /** The serial the restored content is written with: one above `current.serial`, so tofu sees a newer state. */
  newSerial: number;
  body: string;
}

/**
 * Works out a restore without writing. Over a current state the version must belong to the
 * same lineage. Over a deleted state (its current version a delete marker) the version
 * comes back with its own lineage and a serial above every version's. Either way the state
 * must not be locked by a running tofu.
 */
export async function planRestore(state: StackState, versionId: string): Promise<RestorePlan> {
  await requireVersioning(state.client, state.location.bucket);
  const where = `s3://${state.location.bucket}/${state.key}`;
  const current = await readCurrentObject(state.client, state.location.bucket, state.key);
  if (!current) throw new FoundationError(`stack "${state.stack.name}" has no current state at ${where} to restore over`, 'pull the version with "foundation state pull --version-id" and inspect it instead');
  const target = await readStateObject(state.client, state.location.bucket, state.key, versionId);
  if (!target) throw new FoundationError(`there is no version "${versionId}" of ${where}`, 'list the versions with "foundation state versions <stack>"');
  const then = parseState(target.body, `version ${versionId} of ${where}`);
  let base: RestoreBase;
  if (current === 'deleted') {
    const versions = await stateVersions(state);
    const marker = versions.find((v) => v.latest && v.deleteMarker);
    if (!marker) throw changedWhileRestoring(state);
    base = { deleted: true, markerVersionId: marker.versionId, serial: Math.max(then.serial, ...versions.map((v) => v.serial ?? 0)) };
  } else {
    const now = parseState(current.body, `the current state at ${where}`);
    if (then.lineage !== now.lineage) {
      throw new FoundationError(
        `version ${versionId} has lineage ${then.lineage}, but the current state has lineage ${now.lineage}: it is another state, not an earlier one of this stack`,
        'pick a version with the current lineage ("foundation state versions <stack>" shows each one\'s lineage)',
      );
    }
    base = { deleted: false, versionId: current.versionId, serial: now.serial, etag: current.etag ?? '*' };
  }
  if (await objectExists(state.client, state.location.bucket, `${state.key}.tflock`)) {
    throw new FoundationError(`the state of stack "${state.stack.name}" is locked (${state.key}.tflock exists): a tofu run may be writing it`, 'wait for the run to finish, then restore');
  }
  const newSerial = base.serial + 1;
  return {
    from: { versionId, serial: then.serial, lastModified: target.lastModified?.toISOString() },
    current: base,
    lineage: then.lineage,
    newSerial,
    body: withSerial(target.body, newSerial),
  };
}

/**
 * Writes the restore as a new version: with If-Match the ETag planRestore read, or over a
 * deleted state with If-None-Match: *. Refused, nothing written, if the state changed since.
 */
export async function applyRestore(state: StackState, plan: RestorePlan): Promise<string | undefined> {
  const condition = plan.current.deleted ? { ifNoneMatch: '*' as const } : { ifMatch: plan.current.etag };
  return putStateObject(state.client, state.location.bucket, state.key, plan.body, condition, changedWhileRestoring(state));
}

function changedWhileRestoring(state: StackState): FoundationError {
  return new FoundationError(
    `the state at s3://${state.location.bucket}/${state.key} changed while restoring; nothing was written`,
    'look at the new state ("foundation state versions <stack>") and run the restore again if it is still wanted',
  );
}

// `foundation drift accept`: record (or clear) an acceptance on the live object, in its
// annotation, with one conditional merge patch. The object is found through the stack's
// own drift run, so only objects the stack's state manages can be accepted, and without
// --path the acceptance names exactly the fields that drift now.
import { hostname, userInfo } from 'node:os';
import type { GlobalOptions } from '../config/global-options.js';
import { loadProject } from '../config/load.js';
import { requireStack, resolveEnv } from '../config/resolve.js';
import { apiStatus } from '../kube/client.js';
import { collectionPath, getJson, mergePatchJson, type ApiResource, type LiveObject } from '../kube/list.js';
import { FoundationError } from '../ui/errors.js';
import { MAX_ACCEPT_MS, parseAcceptances, type StoredAcceptance } from './acceptance.js';
import { ACCEPT_ANNOTATION } from './diff.js';
import { parsePointer, toPointer } from './pointer.js';
import { driftSession } from './run.js';
import type { ManagedObject, ObjectDrift } from './stack-drift.js';

export interface AcceptOptions {
  path?: string[];
  for?: string;
  until?: string;
  reason?: string;
  clear?: boolean;
  stateFile?: string;
}

export interface AcceptResult {
  stack: string;
  object: ManagedObject;
  /** The acceptance written (absent for --clear). */
  accepted?: StoredAcceptance;
  /** Paths whose acceptance --clear removed. */
  cleared?: string[];
  /** Named paths that do not drift now (the acceptance covers them when they do). */
  notDrifting: string[];
  /** The object's acceptances after the write. */
  acceptances: StoredAcceptance[];
}

const LONGEST_REASON = 1000;
const ATTEMPTS = 5;

/** `Deployment/web/api`, `deployment.apps/web/api`, or `ClusterRole/admin` for a cluster-scoped object. */
export interface ObjectRef {
  kind: string;
  group?: string;
  namespace?: string;
  name: string;
}

export function parseObjectRef(text: string): ObjectRef {
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new FoundationError(`"${text}" is not an object: expected <kind>/<namespace>/<name> (or <kind>/<name> for a cluster-scoped one)`, 'for example Deployment/web/api or deployment.apps/web/api');
  }
  const [kindPart, ...rest] = parts as [string, ...string[]];
  const [kind, ...group] = kindPart.split('.');
  return { kind: kind!, ...(group.length ? { group: group.join('.') } : {}), ...(rest.length === 2 ? { namespace: rest[0] } : {}), name: rest.at(-1)! };
}

/** --for 4h / 2d or --until <RFC 3339 time>: the end of the acceptance, at most 30 days ahead. */
export function acceptUntil(options: Pick<AcceptOptions, 'for' | 'until'>, now: number): Date {
  if ((options.for === undefined) === (options.until === undefined)) {
    throw new FoundationError('drift accept needs exactly one of --for <duration> and --until <time>', 'e.g. --for 4h, --for 2d, or --until 2026-12-01T18:00:00Z (at most 30 days ahead)');
  }
  let end: number;
  if (options.for !== undefined) {
    const match = /^(\d+)(s|m|h|d)$/.exec(options.for);
    if (!match || Number(match[1]) === 0) throw new FoundationError(`--for must be a duration such as 90s, 30m, 4h or 2d, not "${options.for}"`, 'a whole number above 0 and one of s, m, h, d; at most 30d');
    end = now + Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  } else {
    const text = options.until!;
    end = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(text) ? Date.parse(text) : NaN;
    if (Number.isNaN(end)) throw new FoundationError(`--until must be an RFC 3339 time with a zone, not "${text}"`, 'e.g. 2026-12-01T18:00:00Z or 2026-12-01T19:00:00+01:00');
    if (end <= now) throw new FoundationError(`--until ${text} has already passed`, 'give a time in the future, at most 30 days ahead');
  }
  if (end - now > MAX_ACCEPT_MS) {
    throw new FoundationError(`an acceptance may run at most 30 days, and ${options.for !== undefined ? `--for ${options.for}` : `--until ${options.until}`} is longer`, 'drift that must stay longer is a change to make in the stack\'s code');
  }
  // Whole seconds, rounded up: never shorter than asked.
  return new Date(Math.ceil(end / 1000) * 1000);
}

function checkPaths(paths: string[]): string[] {
  return paths.map((p) => {
    let segments: string[];
    try {
      segments = parsePointer(p);
    } catch {
      throw new FoundationError(`--path "${p}" is not a JSON Pointer`, 'paths start with "/", e.g. /spec/replicas or /metadata/annotations/example.com~1key (RFC 6901: "/" in a key is ~1)');
    }
    if (segments.length === 0) throw new FoundationError('--path "" would accept the whole object', 'name the fields, e.g. --path /spec/replicas');
    return toPointer(segments);
  });
}

function checkReason(reason: string | undefined): string {
  const text = reason?.trim() ?? '';
  if (!text) throw new FoundationError('drift accept needs --reason "<why>": an acceptance says why the drift may stay', 'e.g. --reason "load test on sting until Friday (ops#42)"');
  if (text.length > LONGEST_REASON || /[\r\n]/.test(text)) throw new FoundationError(`--reason must be one line of at most ${LONGEST_REASON} characters`, 'link a ticket for the long story');
  return text;
}

/** Who accepts: user@host of this shell. */
function operator(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.LOGNAME;
  }
  return `${user || 'unknown'}@${hostname()}`;
}

/** Checks every flag before anything is read, then finds the object and writes the annotation. */
export async function acceptDrift(global: GlobalOptions, stackName: string, objectText: string, options: AcceptOptions): Promise<AcceptResult> {
  const ref = parseObjectRef(objectText);
  const paths = checkPaths(options.path ?? []);
  const now = Date.now();
  let entry: Omit<StoredAcceptance, 'paths'> | undefined;
  if (options.clear) {
    if (options.for !== undefined || options.until !== undefined || options.reason !== undefined) {
      throw new FoundationError('--clear takes no --for, --until or --reason', `remove them, or drop --clear to accept`);
    }
  } else {
    const reason = checkReason(options.reason);
    const until = acceptUntil(options, now);
    entry = { by: operator(), reason, acceptedAt: new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z'), until: until.toISOString().replace('.000Z', 'Z') };
  }

  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const stack = requireStack(project, stackName);
  const found: Array<{ object: ManagedObject; live: LiveObject; resource: ApiResource }> = [];
  const { result, client } = await driftSession(project, env, global, options.stateFile).compare(stack, { found: (object, live, resource) => found.push({ object, live, resource }) });
  const target = findObject(stack.name, ref, found, result.objects);
  const drift = result.objects.find((o) => o.source === target.object.source && o.kind === target.object.kind && o.name === target.object.name && o.namespace === target.object.namespace);
  const drifting = drift ? driftingPaths(drift) : [];

  let named = paths;
  if (!options.clear && named.length === 0) {
    if (drifting.length === 0) {
      throw new FoundationError(`nothing drifts on ${describeRef(target.object)} now`, 'name the fields to accept with --path (e.g. --path /spec/replicas) to accept a change before it is made');
    }
    named = drifting;
  }
  const notDrifting = options.clear ? [] : named.filter((p) => !drifting.some((d) => d === p || d.startsWith(`${p}/`)));

  const itemPath = `${collectionPath(target.resource, target.object.namespace)}/${target.object.name}`;
  let live = target.live;
  for (let attempt = 1; ; attempt++) {
    const current = parseAcceptances(live.metadata.annotations);
    if ('error' in current && !(options.clear && paths.length === 0)) {
      throw new FoundationError(`${describeRef(target.object)}: ${current.error}`, `remove it with "foundation drift accept --clear ${stack.name} ${objectText}"`);
    }
    const existing = 'error' in current ? [] : current.acceptances;
    const { next, cleared } = options.clear ? ('error' in current ? { next: [], cleared: [] } : clearPaths(existing, paths, target.object)) : { next: [...withoutPaths(existing, named), { paths: named, ...entry! }], cleared: undefined };
    const patch = { metadata: { resourceVersion: live.metadata.resourceVersion, annotations: { [ACCEPT_ANNOTATION]: next.length ? JSON.stringify(next) : null } } };
    try {
      await mergePatchJson(client, itemPath, patch, `write the ${ACCEPT_ANNOTATION} annotation of ${describeRef(target.object)}`);
      return {
        stack: stack.name,
        object: target.object,
        ...(entry ? { accepted: { paths: named, ...entry } } : {}),
        ...(cleared ? { cleared } : {}),
        notDrifting,
        acceptances: next,
      };
    } catch (error) {
      // Someone else wrote the object since it was read: read it again and redo the change.
      if (apiStatus(error) !== 409 || attempt === ATTEMPTS) throw annotationRefused(error, stack.name, objectText);
      live = (await getJson(client, itemPath, {}, `read ${describeRef(target.object)}`)) as LiveObject;
    }
  }
}

/** The API server's 422 for the annotation (e.g. over 256 KiB of annotations) gets a hint that helps. */
function annotationRefused(error: unknown, stack: string, objectText: string): unknown {
  if (apiStatus(error) === 422) {
    return new FoundationError((error as Error).message, `clear acceptances that have run out: "foundation drift accept --clear ${stack} ${objectText} --path <path>"`);
  }
  return error;
}

function describeRef(o: Pick<ManagedObject, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  return `${o.apiVersion} ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

/** The one managed object the reference names; missing and unmanaged objects cannot be accepted. */
function findObject(stack: string, ref: ObjectRef, found: Array<{ object: ManagedObject; live: LiveObject; resource: ApiResource }>, objects: ObjectDrift[]) {
  const same = (o: Pick<ManagedObject, 'apiVersion' | 'kind' | 'namespace' | 'name'>) =>
    o.kind.toLowerCase() === ref.kind.toLowerCase() && (ref.group === undefined || groupOf(o.apiVersion) === ref.group) && o.name === ref.name && (o.namespace ?? undefined) === ref.namespace;
  const matches = found.filter((f) => same(f.object));
  if (matches.length === 1) return matches[0]!;
  const shown = `${ref.kind}${ref.group ? `.${ref.group}` : ''} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  if (matches.length > 1) {
    throw new FoundationError(`${shown} names ${matches.length} objects of stack ${stack}: ${matches.map((m) => describeRef(m.object)).join(', ')}`, 'add the API group to the kind, e.g. deployment.apps/web/api');
  }
  const missing = objects.find((o) => o.state === 'missing' && same(o));
  if (missing) {
    throw new FoundationError(`${describeRef(missing)} is missing from the cluster: an acceptance cannot hide a missing object`, `apply the stack to create it again ("foundation plan ${stack}")`);
  }
  const unmanaged = objects.find((o) => o.state === 'unmanaged' && same(o));
  throw new FoundationError(
    unmanaged ? `${describeRef(unmanaged)} is not managed by stack ${stack} (no state resource declares it): only managed objects take acceptances` : `stack ${stack}'s state declares no ${shown}`,
    unmanaged ? `declare it in the stack's code, or delete it` : `run "foundation drift ${stack}" to see the objects it manages`,
  );
}

/** Every differing field of an object, accepted or not, and its differing Secret keys as /data/<key>. */
function driftingPaths(o: ObjectDrift): string[] {
  const keys = o.secretData ? [...o.secretData.changed, ...o.secretData.added, ...o.secretData.removed] : [];
  return [...o.fields.map((f) => f.path), ...(o.accepted ?? []).map((f) => f.path), ...keys.map((k) => toPointer(['data', k]))];
}

/** The acceptances without these paths: a path accepted again replaces its earlier acceptance. */
function withoutPaths(list: StoredAcceptance[], paths: string[]): StoredAcceptance[] {
  return list.map((a) => ({ ...a, paths: a.paths.filter((p) => !paths.includes(p)) })).filter((a) => a.paths.length > 0);
}

/** --clear: every acceptance of the object, or those of the named paths (each must be accepted). */
function clearPaths(list: StoredAcceptance[], paths: string[], object: ManagedObject): { next: StoredAcceptance[]; cleared: string[] } {
  if (paths.length === 0) {
    if (list.length === 0) throw new FoundationError(`${describeRef(object)} has no acceptances to clear`, '"foundation drift accepted <stack>" lists the acceptances of a stack');
    return { next: [], cleared: [...new Set(list.flatMap((a) => a.paths))] };
  }
  const accepted = new Set(list.flatMap((a) => a.paths));
  const unknown = paths.filter((p) => !accepted.has(p));
  if (unknown.length) {
    throw new FoundationError(
      `no acceptance on ${describeRef(object)} names ${unknown.join(', ')}`,
      accepted.size ? `its accepted paths: ${[...accepted].join(', ')}` : 'it has no acceptances ("foundation drift accepted <stack>" lists them)',
    );
  }
  return { next: withoutPaths(list, paths), cleared: paths };
}

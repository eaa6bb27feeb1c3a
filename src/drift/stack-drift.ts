import type { ApiResource, LiveObject } from '../kube/list.js';
import { applyAcceptances, isExpired, parseAcceptances, covers, type AcceptedField, type StoredAcceptance } from './acceptance.js';
import { compareObject } from './compare.js';
import type { FieldDiff, SecretDataDiff } from './diff.js';
import { liveRelease, stateExpectations, type LiveRelease } from './expected.js';
import { compileRule, ignoredPaths, type IgnoreRule, type ObjectIdentity } from './ignore.js';
import type { LiveReader } from './live.js';
import { toPointer } from './pointer.js';
import type { StateInstance } from './state.js';

/** `accepted`: every difference of the object is covered by a live acceptance (acceptance.ts). */
export type ObjectState = 'changed' | 'accepted' | 'missing' | 'unmanaged';

export interface ObjectDrift {
  state: ObjectState;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The state address that declares it (absent for unmanaged objects). */
  source?: string;
  fields: FieldDiff[];
  secretData?: SecretDataDiff;
  /** Differences an operator accepted for now (`foundation drift accept`): not drift. */
  accepted?: AcceptedField[];
  /** Why a missing object is missing, when it is not simply deleted. */
  reason?: string;
}

/** A managed object: what the state declares it as. */
export interface ManagedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  source: string;
}

/**
 * An acceptance on one of the stack's live objects, as `drift accepted` lists them:
 * the stored record, whether it ran out, and the drifted fields it covers now. An
 * annotation that does not read has `error` instead.
 */
export type AcceptanceRecord = ManagedObject & ((StoredAcceptance & { expired: boolean; covers: string[] }) | { error: string });

export interface ReleaseDrift {
  source: string;
  name: string;
  namespace: string;
  chart: string;
  version: string;
  revision: { state: number; live: number | null };
  status: { state: string; live: string | null };
  drifted: boolean;
}

export interface DriftCounts {
  managed: number;
  inSync: number;
  changed: number;
  /** Objects whose only differences are accepted for now. */
  accepted: number;
  missing: number;
  unmanaged: number;
  /** Live objects of the compared kinds in the stack's namespaces (owned children and cluster-made ones left out). */
  live: number;
  /** The share of those that state accounts for, 0..1; null when there are none. */
  coverage: number | null;
}

export interface StackDriftResult {
  counts: DriftCounts;
  releases: ReleaseDrift[];
  objects: ObjectDrift[];
  /** kubernetes_* resources that manage no whole object and were not compared. */
  notCompared: string[];
  /** Every acceptance found on the stack's managed objects, live or expired. */
  acceptances: AcceptanceRecord[];
  drifted: boolean;
}

/** Workload kinds whose spec.replicas an HPA may own. */
const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);
const HPA = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };
/** Objects the control plane creates in every namespace: never "unmanaged". */
const CLUSTER_MADE: Array<[kind: string, name: string]> = [
  ['ConfigMap', 'kube-root-ca.crt'],
  ['ServiceAccount', 'default'],
];

export interface CompareOptions {
  namespaces: string[];
  rules: IgnoreRule[];
  /** The time acceptances are judged at (default: now). */
  now?: number;
  /** Called with each managed object found live (`drift accept` looks its object up this way). */
  found?: (object: ManagedObject, live: LiveObject, resource: ApiResource) => void;
}

/**
 * The drift of one stack: what its state declares against what the cluster runs, in
 * the stack's namespaces.
 */
export async function compareStack(
  instances: StateInstance[],
  reader: LiveReader,
  { namespaces: stackNamespaces, rules, now = Date.now(), found }: CompareOptions,
): Promise<StackDriftResult> {
  const compiled = rules.map(compileRule);
  const expectations = stateExpectations(instances);
  const expected = [...expectations.objects];
  const releaseNamespaces = expectations.releases.map((r) => r.namespace);

  await reader.discover(['v1', ...expected.map((o) => o.apiVersion)]);
  const secrets = reader.resource('v1', 'Secret');
  // Helm's records are Secrets: the same one LIST per namespace that compares Secrets.
  await reader.listMany(secrets ? [...new Set(releaseNamespaces)].map((namespace) => ({ resource: secrets, namespace })) : []);
  const releases: ReleaseDrift[] = [];
  const recordSecrets = new Set<string>();
  for (const release of expectations.releases) {
    const live: LiveRelease | undefined = secrets ? liveRelease(release, await reader.list(secrets, release.namespace)) : undefined;
    if (live) {
      expected.push(...live.objects);
      live.recordSecrets.forEach((name) => recordSecrets.add(`${release.namespace}/${name}`));
    }
    const drifted = !live || live.revision !== release.revision || live.status !== release.status;
    releases.push({
      source: release.source,
      name: release.name,
      namespace: release.namespace,
      chart: release.chart,
      version: release.version,
      revision: { state: release.revision, live: live?.revision ?? null },
      status: { state: release.status, live: live?.status ?? null },
      drifted,
    });
  }

  await reader.discover([...expected.map((o) => o.apiVersion), ...(expected.some((o) => SCALABLE.has(o.kind)) ? [HPA.apiVersion] : [])]);
  for (const object of expected) {
    const resource = reader.resource(object.apiVersion, object.kind);
    object.namespace = resource?.namespaced ? (object.namespace ?? object.defaultNamespace) : resource ? undefined : object.namespace;
  }
  const namespaces = [...new Set([...stackNamespaces, ...expected.flatMap((o) => (o.namespace ? [o.namespace] : []))])];
  const compared = uniqueResources(expected.map((o) => reader.resource(o.apiVersion, o.kind)));
  const hpa = reader.resource(HPA.apiVersion, HPA.kind);
  const workloadNamespaces = [...new Set(expected.filter((o) => SCALABLE.has(o.kind) && o.namespace).map((o) => o.namespace!))];
  await reader.listMany([
    ...compared.flatMap((resource) => (resource.namespaced ? namespaces.map((namespace) => ({ resource, namespace })) : [{ resource }])),
    ...(hpa ? workloadNamespaces.map((namespace) => ({ resource: hpa, namespace })) : []),
  ]);

  const hpaTargets = new Set<string>();
  if (hpa) {
    for (const namespace of workloadNamespaces) {
      for (const item of await reader.list(hpa, namespace)) {
        const ref = (item.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)?.scaleTargetRef;
        if (ref?.kind && ref.name) hpaTargets.add(`${ref.kind}/${namespace}/${ref.name}`);
      }
    }
  }

  const objects: ObjectDrift[] = [];
  const acceptances: AcceptanceRecord[] = [];
  // The live objects state accounts for (the reader hands out one instance per object).
  const accounted = new Set<LiveObject>();
  let inSync = 0;
  for (const object of expected) {
    const resource = reader.resource(object.apiVersion, object.kind);
    const where: ManagedObject = { apiVersion: object.apiVersion, kind: object.kind, namespace: object.namespace, name: object.name, source: object.source };
    if (!resource) {
      objects.push({ state: 'missing', ...where, fields: [], reason: `the cluster does not serve ${object.apiVersion} ${object.kind}` });
      continue;
    }
    const live = await reader.find(resource, object.namespace, object.name);
    if (!live) {
      objects.push({ state: 'missing', ...where, fields: [] });
      continue;
    }
    accounted.add(live);
    found?.(where, live, resource);
    const ignored = ignoredPaths(identity(live), compiled, { hpaTargeted: hpaTargets.has(`${object.kind}/${object.namespace}/${object.name}`) });
    const diff = compareObject(object.object, live, ignored);
    const parsed = parseAcceptances(live.metadata.annotations);
    if ('error' in parsed) acceptances.push({ ...where, error: parsed.error });
    const stored = 'error' in parsed ? [] : parsed.acceptances;
    const split = applyAcceptances(diff.fields, diff.secretData, stored, now);
    if (stored.length) {
      const drifted = [...diff.fields.map((f) => f.path), ...secretPaths(diff.secretData)];
      for (const a of stored) acceptances.push({ ...where, ...a, expired: isExpired(a, now), covers: drifted.filter((path) => a.paths.some((p) => covers(p, path))) });
    }
    const counted = split.fields.length > 0 || split.secretData !== undefined;
    if (!counted && split.accepted.length === 0) inSync++;
    else {
      objects.push({
        state: counted ? 'changed' : 'accepted',
        ...where,
        fields: split.fields,
        ...(split.secretData ? { secretData: split.secretData } : {}),
        ...(split.accepted.length ? { accepted: split.accepted } : {}),
      });
    }
  }

  let unmanaged = 0;
  for (const resource of compared.filter((r) => r.namespaced)) {
    for (const namespace of stackNamespaces) {
      for (const live of await reader.list(resource, namespace)) {
        if (accounted.has(live) || recordSecrets.has(`${namespace}/${live.metadata.name}`) || live.metadata.ownerReferences?.length) continue;
        if (CLUSTER_MADE.some(([kind, name]) => kind === live.kind && name === live.metadata.name)) continue;
        if (live.kind === 'Secret' && live.type === 'kubernetes.io/service-account-token') continue;
        unmanaged++;
        objects.push({ state: 'unmanaged', apiVersion: resource.apiVersion, kind: resource.kind, namespace, name: live.metadata.name, fields: [] });
      }
    }
  }

  const managedLive = [...accounted].filter((live) => stackNamespaces.includes(live.metadata.namespace ?? '')).length;
  const changed = objects.filter((o) => o.state === 'changed').length;
  const accepted = objects.filter((o) => o.state === 'accepted').length;
  const missing = objects.filter((o) => o.state === 'missing').length;
  const counts: DriftCounts = {
    managed: expected.length,
    inSync,
    changed,
    accepted,
    missing,
    unmanaged,
    live: managedLive + unmanaged,
    coverage: managedLive + unmanaged === 0 ? null : managedLive / (managedLive + unmanaged),
  };
  objects.sort((a, b) => order(a.state) - order(b.state) || describe(a).localeCompare(describe(b)));
  return {
    counts,
    releases,
    objects,
    notCompared: expectations.skipped,
    acceptances,
    drifted: changed + missing + unmanaged > 0 || releases.some((r) => r.drifted),
  };
}

function uniqueResources<T extends { apiVersion: string; kind: string }>(resources: Array<T | undefined>): T[] {
  const seen = new Map<string, T>();
  for (const r of resources) if (r) seen.set(`${r.apiVersion}/${r.kind}`, r);
  return [...seen.values()];
}

function identity(object: LiveObject): ObjectIdentity {
  return {
    apiVersion: object.apiVersion!,
    kind: object.kind!,
    name: object.metadata.name,
    namespace: object.metadata.namespace,
    labels: object.metadata.labels ?? {},
    annotations: object.metadata.annotations ?? {},
  };
}

function order(state: ObjectState): number {
  return ['changed', 'accepted', 'missing', 'unmanaged'].indexOf(state);
}

/** A Secret's differing keys as the paths an acceptance names: /data/<key>. */
function secretPaths(diff: SecretDataDiff | undefined): string[] {
  return diff ? [...diff.changed, ...diff.added, ...diff.removed].map((key) => toPointer(['data', key])) : [];
}

export function describe(o: Pick<ObjectDrift, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}


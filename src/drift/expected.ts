import { parseAllDocuments } from 'yaml';
import { decodeRelease } from '../kube/helm-release.js';
import type { LiveObject } from '../kube/list.js';
import { FoundationError } from '../ui/errors.js';
import type { StateInstance } from './state.js';
import { typedKind, typedObject } from './typed.js';

/** An object the state says should exist, with the fields it declares. */
export interface ExpectedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** Unset for cluster-scoped kinds, and until resolved for objects that name none. */
  namespace?: string;
  /** Where an object that names no namespace goes, if its kind turns out namespaced. */
  defaultNamespace: string;
  /** The state address it comes from (a Helm release's for chart-rendered objects). */
  source: string;
  object: Record<string, unknown>;
}

/** A helm_release as state records it. */
export interface ExpectedRelease {
  source: string;
  name: string;
  namespace: string;
  chart: string;
  version: string;
  revision: number;
  status: string;
}

export interface StateExpectations {
  objects: ExpectedObject[];
  releases: ExpectedRelease[];
  /** kubernetes_* resources that manage no whole object (kubernetes_labels, ..._data, ...): not compared. */
  skipped: string[];
}

/** What the state's kubernetes_* and helm_release resources say should be running. */
export function stateExpectations(instances: StateInstance[]): StateExpectations {
  const result: StateExpectations = { objects: [], releases: [], skipped: [] };
  for (const instance of instances) {
    const { type, attributes, address } = instance;
    if (type === 'helm_release') result.releases.push(stateRelease(address, attributes));
    else if (type === 'kubernetes_manifest') {
      const manifest = unwrapDynamic(attributes.manifest);
      if (manifest && typeof manifest === 'object') result.objects.push(expectedObject(stripNulls(manifest) as Record<string, unknown>, address, 'default'));
    } else if (type.startsWith('kubernetes_')) {
      const kind = typedKind(type);
      if (!kind) {
        result.skipped.push(address);
        continue;
      }
      result.objects.push(expectedObject(typedObject(kind, attributes), address, 'default'));
    }
  }
  return result;
}

/** kubernetes_manifest's manifest and object are dynamic values: state stores them as {"value": ..., "type": ...}. */
function unwrapDynamic(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && 'value' in value && 'type' in value) return (value as { value: unknown }).value;
  return value;
}

/** Null is how a dynamic value spells "not set". */
function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNulls);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== null) out[key] = stripNulls(v);
  }
  return out;
}

function expectedObject(object: Record<string, unknown>, source: string, defaultNamespace: string): ExpectedObject {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string' || !metadata.name) {
    throw new FoundationError(`${source} in state declares an object without apiVersion, kind or metadata.name`, 'check the resource in the stack\'s code; foundation compares only complete objects');
  }
  return { apiVersion: object.apiVersion, kind: object.kind, name: metadata.name, namespace: metadata.namespace || undefined, defaultNamespace, source, object };
}

function stateRelease(address: string, attributes: Record<string, unknown>): ExpectedRelease {
  // metadata is a list of one block up to provider 2.x and an object from 3.0.
  const raw = attributes.metadata;
  const metadata = ((Array.isArray(raw) ? raw[0] : raw) ?? {}) as { revision?: number; version?: string; chart?: string };
  return {
    source: address,
    name: String(attributes.name),
    namespace: String(attributes.namespace || 'default'),
    chart: String(metadata.chart ?? attributes.chart ?? ''),
    version: String(metadata.version ?? attributes.version ?? ''),
    revision: Number(metadata.revision ?? 0),
    status: String(attributes.status ?? 'deployed'),
  };
}

/** A release as Helm's storage records it in the cluster. */
export interface LiveRelease {
  /** The highest stored revision and its status (a rollback or a failed upgrade is a new revision). */
  revision: number;
  status: string;
  /** The rendered objects of the revision state names, else of the latest deployed one. */
  objects: ExpectedObject[];
  /** Which revision those objects come from. */
  renderedRevision: number;
  /** Names of this release's record Secrets: accounted for by the release. */
  recordSecrets: string[];
}

/**
 * Reads a release from its record Secrets (`sh.helm.release.v1.<name>.v<revision>`, labels
 * owner=helm, name, status, version). Undefined when no record is stored: the release is missing.
 */
export function liveRelease(release: ExpectedRelease, secrets: LiveObject[]): LiveRelease | undefined {
  const records = secrets
    .filter((s) => s.metadata.labels?.owner === 'helm' && s.metadata.labels?.name === release.name)
    .map((s) => ({ secret: s, revision: Number(s.metadata.labels?.version ?? 0), status: s.metadata.labels?.status ?? 'unknown' }))
    .sort((a, b) => b.revision - a.revision);
  const latest = records[0];
  if (!latest) return undefined;
  const rendered = records.find((r) => r.revision === release.revision) ?? records.find((r) => r.status === 'deployed') ?? latest;
  const data = (rendered.secret.data as Record<string, string> | undefined)?.release;
  if (!data) throw new FoundationError(`Helm record ${rendered.secret.metadata.name} in ${release.namespace} has no data.release`, 'inspect the Secret with kubectl; Helm itself cannot read this release');
  let manifest: string;
  try {
    manifest = decodeRelease(data).manifest ?? '';
  } catch {
    throw new FoundationError(`Helm record ${rendered.secret.metadata.name} in ${release.namespace} does not decode (base64 of gzip'd JSON expected)`, 'inspect the Secret with kubectl; Helm itself cannot read this release');
  }
  return {
    revision: latest.revision,
    status: latest.status,
    objects: manifestObjects(manifest, release),
    renderedRevision: rendered.revision,
    recordSecrets: records.map((r) => r.secret.metadata.name),
  };
}

/** The documents of a rendered manifest; empty documents (a template that rendered nothing) are skipped. */
function manifestObjects(manifest: string, release: ExpectedRelease): ExpectedObject[] {
  const source = `${release.source} (Helm release ${release.name})`;
  return parseAllDocuments(manifest)
    .map((doc) => doc.toJS() as Record<string, unknown> | null)
    .filter((object): object is Record<string, unknown> => Boolean(object && typeof object === 'object' && object.kind))
    .map((object) => expectedObject(object, source, release.namespace));
}

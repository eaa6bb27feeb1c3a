// The registry semantics of the apiserver for get, list, create, update, patch and delete:
// identity checks, optimistic concurrency, status subresources, generation, validation.
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest } from './errors.js';
import type { JsonObject, KubeObject, StoredObject } from './objects.js';
import { clone, isObject, sameJson, timestamp } from './objects.js';
import { metadataErrors } from './metadata.js';
import { jsonPatch, mergePatch } from './patch.js';
import type { FieldError, Registry, ResourceType } from './resources.js';
import { apiVersionOf, qualifiedResource } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Store } from './store.js';
import { DecodeError, decodeTyped } from './typed.js';

export interface Target {
  type: ResourceType;
  /** Undefined for cluster-scoped kinds, and for namespaced kinds listed across all namespaces. */
  namespace?: string;
  name?: string;
  subresource?: 'status';
}

export interface ListResult {
  items: StoredObject[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

function notFound(type: ResourceType, name: string): ApiError {
  return new ApiError(404, `${qualifiedResource(type)} "${name}" not found`, 'NotFound', {
    name,
    group: type.group,
    kind: type.resource,
  });
}

function conflict(type: ResourceType, name: string): ApiError {
  return new ApiError(
    409,
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; ` +
      'please apply your changes to the latest version and try again',
    'Conflict',
    { name, group: type.group, kind: type.resource },
  );
}

/** handlers.transformDecodeError: a create or update body that does not decode into the kind's Go struct. */
function undecodable(type: ResourceType, error: DecodeError): ApiError {
  return badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${error.message}`);
}

/** jsonPatcher.applyPatchToCurrentObject: the patched object does not decode (no kind, no name in the Status). */
function undecodablePatch(patched: unknown, error: DecodeError): ApiError {
  const message = `Invalid value: ${JSON.stringify(JSON.stringify(patched))}: ${error.message}`;
  return new ApiError(422, ` "" is invalid: patch: ${message}`, 'Invalid', {
    name: '',
    group: '',
    kind: '',
    causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }],
  });
}

function decodeOr(type: ResourceType, obj: KubeObject, fail: (error: DecodeError) => ApiError): KubeObject {
  if (!type.typed) return obj;
  try {
    decodeTyped(obj, type.typed);
    return obj;
  } catch (error) {
    if (error instanceof DecodeError) throw fail(error);
    throw error;
  }
}

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;

/**
 * ValidateObjectMeta's name check (apimachinery validation.IsDNS1123Subdomain, or
 * IsDNS1123Label for namespaces), with its messages.
 */
function nameErrors(type: ResourceType, name: string): FieldError[] {
  const label = type.kind === 'Namespace';
  const [max, pattern, message] = label
    ? [63, DNS1123_LABEL, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "]
    : [253, DNS1123_SUBDOMAIN, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "];
  const errors: FieldError[] = [];
  const shown = `Invalid value: ${JSON.stringify(name)}: `;
  if (name.length > max) errors.push({ field: 'metadata.name', message: `${shown}must be no more than ${max} characters` });
  if (!new RegExp(`^${pattern}$`).test(name)) errors.push({ field: 'metadata.name', message: `${shown}${message}regex used for validation is '${pattern}')` });
  return errors;
}

function invalid(type: ResourceType, name: string, errors: FieldError[]): ApiError {
  const kind = type.group ? `${type.kind}.${type.group}` : type.kind;
  const parts = errors.map((e) => `${e.field}: ${e.message}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, `${kind} "${name}" is invalid: ${summary}`, 'Invalid', {
    name,
    group: type.group,
    kind: type.kind,
    causes: errors.map((e) => ({
      reason: e.message.startsWith('Required value') ? 'FieldValueRequired' : e.message.startsWith('Too long') ? 'FieldValueTooLong' : 'FieldValueInvalid',
      message: e.message,
      field: e.field,
    })),
  });
}

/** Everything generation tracks: the object without metadata and status. */
function specOf(obj: KubeObject): JsonObject {
  const { metadata: _metadata, status: _status, ...rest } = obj;
  return rest;
}

function randomSuffix(): string {
  return randomUUID().replace(/-/g, '').slice(0, 5);
}

export class Rest {
  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {}

  get({ type, namespace, name }: Target): StoredObject {
    const found = this.store.get(type, namespace, name!);
    if (!found) throw notFound(type, name!);
    return found;
  }

  list({ type, namespace }: Target, query: URLSearchParams): ListResult {
    const byLabel = parseLabelSelector(query.get('labelSelector'));
    const byField = parseFieldSelector(query.get('fieldSelector'), type.fieldLabels);
    let items = this.store.list(type, namespace).filter((o) => byLabel(o) && byField(o));
    const start = decodeContinue(query.get('continue'));
    if (start !== undefined) items = items.filter((o) => itemKey(o) > start);
    const metadata: ListResult['metadata'] = { resourceVersion: String(this.store.resourceVersion) };
    const limit = Number(query.get('limit') ?? 0);
    if (limit > 0 && items.length > limit) {
      const rest = items.length - limit;
      items = items.slice(0, limit);
      metadata.continue = encodeContinue(itemKey(items[items.length - 1]!));
      // Like the apiserver, the count is only known when no selector filtered the list.
      if (!query.get('labelSelector') && !query.get('fieldSelector')) metadata.remainingItemCount = rest;
    }
    return { items, metadata };
  }

  create({ type, namespace }: Target, body: unknown, dryRun: boolean): StoredObject {
    const obj = decodeOr(type, this.checkIdentity(type, body), (error) => undecodable(type, error));
    if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
    if (type.namespaced) {
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace;
    } else delete obj.metadata.namespace;
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomSuffix();
    const name = obj.metadata.name;
    if (!name) {
      throw invalid(type, '', [
        { field: 'metadata.name', message: 'Required value: name or generateName is required' },
      ]);
    }
    if (type.namespaced && !this.store.get(this.namespaceType(), undefined, namespace!)) {
      throw notFound(this.namespaceType(), namespace!);
    }
    if (this.store.get(type, namespace, name)) {
      throw new ApiError(409, `${qualifiedResource(type)} "${name}" already exists`, 'AlreadyExists', {
        name,
        group: type.group,
        kind: type.resource,
      });
    }
    // Registries with a status subresource reset status on create: only the controller writes it.
    if (type.status) delete obj.status;
    const created = this.initialize(type, obj as StoredObject);
    const badName = nameErrors(type, name);
    if (badName.length > 0) throw invalid(type, name, badName);
    this.validate(type, created);
    return dryRun ? created : this.store.write(type, created);
  }

  update(target: Target, body: unknown, dryRun: boolean): StoredObject {
    const candidate = decodeOr(target.type, this.checkIdentity(target.type, body), (error) => undecodable(target.type, error));
    // CRDs disallow unconditional updates; built-in kinds allow them.
    if (!candidate.metadata.resourceVersion && target.type.custom) {
      throw invalid(target.type, target.name!, [
        { field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' },
      ]);
    }
    return this.commit(target, this.get(target), candidate, dryRun);
  }

  patch(target: Target, contentType: string, body: unknown, dryRun: boolean): StoredObject {
    const existing = this.get(target);
    const patched = contentType === 'application/json-patch+json' ? jsonPatch(existing, body) : mergePatch(existing, body);
    const decoded = decodeOr(target.type, this.checkIdentity(target.type, patched), (error) => undecodablePatch(patched, error));
    return this.commit(target, existing, decoded, dryRun);
  }

  delete(target: Target, options: unknown, dryRun: boolean): StoredObject {
    const existing = this.get(target);
    const preconditions = isObject(options) && isObject(options.preconditions) ? options.preconditions : {};
    if (preconditions.uid && preconditions.uid !== existing.metadata.uid) {
      const message = `Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${existing.metadata.uid}`;
      throw new ApiError(409, message, 'Conflict');
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(target.type, target.name!);
    }
    if (dryRun) return existing;
    if (target.type === this.namespaceType()) this.deleteNamespaceContents(existing.metadata.name);
    return this.store.delete(target.type, target.namespace, target.name!)!;
  }

  deleteCollection(target: Target, query: URLSearchParams, dryRun: boolean): ListResult {
    const result = this.list(target, query);
    if (dryRun) return result;
    for (const { metadata } of result.items) {
      this.delete({ ...target, namespace: metadata.namespace, name: metadata.name }, undefined, false);
    }
    return result;
  }

  /** Test back door: upsert as a controller would, status included, without validation. */
  seed(type: ResourceType, input: KubeObject): StoredObject {
    const obj = clone(input);
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    if (!obj.metadata.name) throw new Error(`kube-api stand-in: put() needs metadata.name (${type.kind})`);
    if (type.namespaced) {
      obj.metadata.namespace ??= 'default';
      this.ensureNamespace(obj.metadata.namespace);
    } else delete obj.metadata.namespace;
    const existing = this.store.get(type, obj.metadata.namespace, obj.metadata.name);
    if (!existing) return this.store.write(type, this.initialize(type, obj as StoredObject));
    obj.metadata.resourceVersion = existing.metadata.resourceVersion;
    return this.commit({ type, namespace: obj.metadata.namespace, name: obj.metadata.name }, existing, obj, false, true);
  }

  ensureNamespace(name: string): void {
    const type = this.namespaceType();
    if (this.store.get(type, undefined, name)) return;
    this.store.write(type, this.initialize(type, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  }

  private namespaceType(): ResourceType {
    return this.registry.lookup('v1', 'namespaces');
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const type of this.registry.types.filter((t) => t.namespaced)) {
      for (const obj of this.store.list(type, namespace)) this.store.delete(type, namespace, obj.metadata.name);
    }
  }

  /** The body must be an object of this kind; apiVersion and kind are filled in when absent. */
  private checkIdentity(type: ResourceType, body: unknown): KubeObject {
    if (!isObject(body)) throw badRequest('the body of the request must be a JSON object');
    const obj = clone(body) as KubeObject;
    const apiVersion = apiVersionOf(type);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersion})`);
    }
    if (obj.kind !== undefined && obj.kind !== type.kind) {
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${type.kind})`);
    }
    obj.apiVersion = apiVersion;
    obj.kind = type.kind;
    if (!isObject(obj.metadata)) obj.metadata = {};
    return obj;
  }

  private initialize(type: ResourceType, obj: StoredObject): StoredObject {
    type.prepare?.(obj);
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= timestamp();
    if (type.generation) obj.metadata.generation = 1;
    delete obj.metadata.resourceVersion;
    return obj;
  }

  /**
   * The shared end of PUT, PATCH and status writes. A status write changes only
   * `.status`; a main-resource write of a kind with a status subresource keeps the
   * stored status. A write that changes nothing keeps the resourceVersion (no event).
   * `asController` is the test back door: status included, no validation.
   */
  private commit(
    { type, namespace, name, subresource }: Target,
    existing: StoredObject,
    candidate: KubeObject,
    dryRun: boolean,
    asController = false,
  ): StoredObject {
    if (candidate.metadata.name !== undefined && candidate.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(candidate.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (type.namespaced && candidate.metadata.namespace !== undefined && candidate.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the object does not match the namespace on the request');
    }
    const version = candidate.metadata.resourceVersion;
    if (version !== undefined && version !== existing.metadata.resourceVersion) throw conflict(type, name!);

    const next = (subresource === 'status' ? { ...clone(existing), status: candidate.status } : candidate) as StoredObject;
    if (type.status && subresource !== 'status' && !asController) next.status = existing.status;
    if (next.status === undefined) delete next.status;
    next.metadata = {
      ...next.metadata,
      name: name!,
      ...(type.namespaced ? { namespace } : {}),
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      resourceVersion: existing.metadata.resourceVersion,
    };
    type.prepare?.(next);
    if (type.generation) {
      const changed = !sameJson(specOf(existing), specOf(next));
      next.metadata.generation = (existing.metadata.generation ?? 1) + (changed ? 1 : 0);
    }
    if (!asController) this.validate(type, next);
    if (sameJson(existing, next) || dryRun) return next;
    return this.store.write(type, next);
  }

  private validate(type: ResourceType, obj: StoredObject): void {
    const errors = [...metadataErrors(obj), ...(type.validate?.(obj) ?? [])];
    if (errors.length > 0) throw invalid(type, obj.metadata.name, errors);
  }
}

function itemKey(obj: StoredObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** Continue tokens are opaque to clients; this one carries the last key returned. */
function encodeContinue(start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', start })).toString('base64url');
}

function decodeContinue(token: string | null): string | undefined {
  if (!token) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString());
    if (isObject(decoded) && typeof decoded.start === 'string') return decoded.start;
  } catch {
    // fall through to the apiserver's answer for a garbled token
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

// A local stand-in for the Kubernetes API server: the REST paths, JSON shapes, status
// codes and watch protocol that kubectl and @kubernetes/client-node rely on, backed by an
// in-memory store. Tests seed it and drive ARC "controller" behaviour through the
// methods below; tests/integration/kube-api-kubectl.test.ts proves kubectl accepts it.
// It refuses what a real API server refuses: tests/support/kube-api/enforced.ts lists each
// rule with the real server's answer (typed-field decoding in kube-api/typed.ts).
//
// Not served: protobuf bodies (kubectl's `create configmap|secret|namespace` send them;
// the CLI never does), server-side apply, finalizers and graceful deletion, `get -w` tables.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RunnerOptions, ScaleSetOptions } from './kube-api/arc.js';
import {
  SCALE_SET_NAME_LABEL,
  autoscalingRunnerSet,
  ephemeralRunner,
  ephemeralRunnerSet,
  runnerCounts,
} from './kube-api/arc.js';
import { ApiError, badRequest } from './kube-api/errors.js';
import { loseAnswer, resetConnection, sendFaultStatus, sendGoneEvent, takeFault, type Fault, type FaultMatch, type FaultRule } from './kube-api/faults.js';
import type { KubeObject, StoredObject } from './kube-api/objects.js';
import { ARC_GROUP, Registry, apiVersionOf, type ResourceType } from './kube-api/resources.js';
import { Rest, type ListResult, type Target } from './kube-api/rest.js';
import { resolve } from './kube-api/router.js';
import { Store, type StoreEvent } from './kube-api/store.js';
import { toTable } from './kube-api/table.js';
import { selfSignedCertificate } from './kube-api/tls.js';
import { serveWatch } from './kube-api/watch.js';
import { closeServer, listenOnLoopback } from './loopback.js';

export type { KubeObject, StoredObject } from './kube-api/objects.js';
export type { RunnerOptions, ScaleSetOptions } from './kube-api/arc.js';
export type { Fault, FaultMatch } from './kube-api/faults.js';

export interface KubeApiServerOptions {
  /** When set, every request must carry `Authorization: Bearer <token>`, else 401. */
  token?: string;
  /** Serve the actions.github.com CRDs (default true); false = "ARC is not installed". */
  arcCrds?: boolean;
  /** Events kept for watches from an older resourceVersion (default 10000); older gets 410 Expired. */
  watchHistory?: number;
}

export interface RecordedRequest {
  /** When it arrived (epoch ms). */
  at: number;
  method: string;
  path: string;
  /** The query string without its `?`. */
  query: string;
  /** Media type without parameters, '' when absent. */
  contentType: string;
  accept: string;
  body: string;
  /** The fault it met, if any. */
  fault?: Fault['kind'] | 'restart';
}

const ARC_VERSION = `${ARC_GROUP}/v1alpha1`;
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json'];
const NAMESPACES_AT_BOOT = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Built-in kinds' list items carry no apiVersion/kind on the wire; custom resources' do. */
function listItem(type: ResourceType, obj: StoredObject): Partial<StoredObject> {
  if (type.custom) return obj;
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = obj;
  return rest;
}

export class KubeApiServer {
  /** Every request received, in order, for assertions such as "no PATCH was sent". */
  readonly requests: RecordedRequest[] = [];
  /** PEM of the self-signed certificate, for clients that prefer verifying to skipping. */
  ca = '';
  private readonly registry: Registry;
  private readonly store: Store;
  private readonly rest: Rest;
  private readonly faults: FaultRule[] = [];
  private readonly watches = new Map<() => void, IncomingMessage>();
  /** Until this time every request is reset: a restarting API server. */
  private downUntil = 0;
  private server?: Server;
  private nextRunnerId = 1;

  constructor(private readonly options: KubeApiServerOptions = {}) {
    this.registry = new Registry(options.arcCrds ?? true);
    this.store = new Store(options.watchHistory);
    this.rest = new Rest(this.store, this.registry);
    for (const name of NAMESPACES_AT_BOOT) this.rest.ensureNamespace(name);
  }

  /** Listens on 127.0.0.1 on a free port, over https. */
  async start(): Promise<this> {
    const { key, cert } = await selfSignedCertificate();
    this.ca = cert;
    this.server = await listenOnLoopback(createServer({ key, cert }, (req, res) => void this.handle(req, res)));
    return this;
  }

  get port(): number {
    if (!this.server) throw new Error('kube-api stand-in: start() first');
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** Ends open watches and closes the listener. */
  async stop(): Promise<void> {
    this.faults.length = 0;
    for (const close of this.watches.keys()) close();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await closeServer(server);
  }

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  // ---- test controls: direct store access, as a controller would write ----

  /** Upserts an object (status included), bumping its resourceVersion and notifying watches. */
  put(obj: KubeObject): StoredObject {
    return this.rest.seed(this.registry.lookup(obj.apiVersion, obj.kind), obj);
  }

  get(apiVersion: string, kindOrResource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.store.get(this.registry.lookup(apiVersion, kindOrResource), namespace, name);
  }

  /** All objects of a kind, in one namespace or (namespace undefined) everywhere. */
  list(apiVersion: string, kindOrResource: string, namespace?: string): StoredObject[] {
    return this.store.list(this.registry.lookup(apiVersion, kindOrResource), namespace);
  }

  /** Called with every write to the store (as a watch of everything would see it). */
  onChange(listener: (event: StoreEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

  remove(apiVersion: string, kindOrResource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.store.delete(this.registry.lookup(apiVersion, kindOrResource), namespace, name);
  }

  /** The next request with this method whose path matches answers `status` with a Status body. */
  failNext(method: string, path: RegExp, status: number): void {
    this.inject({ kind: 'status', code: status }, { method, path }, { times: 1 });
  }

  /**
   * Requests matching `match` meet `fault`: the next `times` of them (default: every one),
   * or every one for `forMs`. Returns a function that removes the rule.
   */
  inject(fault: Fault, match: FaultMatch = {}, { times = Number.POSITIVE_INFINITY, forMs }: { times?: number; forMs?: number } = {}): () => void {
    const rule: FaultRule = { fault, match, remaining: times, until: forMs === undefined ? undefined : Date.now() + forMs };
    this.faults.push(rule);
    return () => {
      const index = this.faults.indexOf(rule);
      if (index >= 0) this.faults.splice(index, 1);
    };
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * The API server restarts: every open watch is cut mid-stream, and for `downMs` every
   * request's connection is reset.
   */
  restart(downMs: number): void {
    this.downUntil = Date.now() + downMs;
    this.cutWatches();
  }

  /** Every open watch's connection is reset mid-stream. */
  cutWatches(): void {
    for (const [close, req] of this.watches) {
      this.watches.delete(close);
      resetConnection(req);
    }
  }

  // ---- ARC controller simulation ----

  /** An AutoscalingRunnerSet and the EphemeralRunnerSet its controller would create. */
  addScaleSet(options: ScaleSetOptions): StoredObject {
    const scaleSet = this.put(autoscalingRunnerSet(options));
    this.put(ephemeralRunnerSet(scaleSet));
    return scaleSet;
  }

  /** An EphemeralRunner of the scale set, idle or running a job; scale set counters follow. */
  addRunner(options: RunnerOptions): StoredObject {
    const [owner] = this.runnerSets(options.namespace, options.scaleSet);
    const runner = this.put(ephemeralRunner(options, this.nextRunnerId++, owner));
    this.syncScaleSetStatus(options.namespace, options.scaleSet);
    return runner;
  }

  /**
   * The runner's job completes: like ARC, the runner turns Succeeded and is then deleted
   * (one MODIFIED and one DELETED watch event).
   */
  finishJob(namespace: string, runnerName: string): void {
    const runner = this.get(ARC_VERSION, 'EphemeralRunner', namespace, runnerName);
    if (!runner) throw new Error(`kube-api stand-in: no EphemeralRunner ${namespace}/${runnerName}`);
    this.put({ ...runner, status: { ...(runner.status as object), phase: 'Succeeded' } });
    this.remove(ARC_VERSION, 'EphemeralRunner', namespace, runnerName);
    const scaleSet = this.scaleSetOf(runner);
    if (scaleSet) this.syncScaleSetStatus(namespace, scaleSet);
  }

  /** The runner sets the scale set's controller owns (by owner reference, as ARC finds them). */
  private runnerSets(namespace: string, scaleSet: string): StoredObject[] {
    const owner = this.get(ARC_VERSION, 'AutoscalingRunnerSet', namespace, scaleSet);
    return this.list(ARC_VERSION, 'EphemeralRunnerSet', namespace).filter((set) =>
      owner
        ? (set.metadata.ownerReferences as { uid?: string }[] | undefined)?.some((ref) => ref.uid === owner.metadata.uid)
        : set.metadata.labels?.[SCALE_SET_NAME_LABEL] === scaleSet,
    );
  }

  /** The scale set a runner belongs to through its runner set; its label when it has no owner. */
  private scaleSetOf(runner: StoredObject): string | undefined {
    const [ref] = (runner.metadata.ownerReferences as { name?: string }[] | undefined) ?? [];
    const runnerSet = ref?.name ? this.get(ARC_VERSION, 'EphemeralRunnerSet', runner.metadata.namespace, ref.name) : undefined;
    const [owner] = (runnerSet?.metadata.ownerReferences as { name?: string }[] | undefined) ?? [];
    return owner?.name ?? runner.metadata.labels?.[SCALE_SET_NAME_LABEL];
  }

  private syncScaleSetStatus(namespace: string, scaleSet: string): void {
    const runners = this.list(ARC_VERSION, 'EphemeralRunner', namespace).filter((r) => this.scaleSetOf(r) === scaleSet);
    const counts = runnerCounts(runners);
    const set = this.get(ARC_VERSION, 'AutoscalingRunnerSet', namespace, scaleSet);
    if (set) this.put({ ...set, status: { ...(set.status as object), currentRunners: runners.length, ...counts } });
    for (const runnerSet of this.runnerSets(namespace, scaleSet)) {
      this.put({ ...runnerSet, status: { ...(runnerSet.status as object), currentReplicas: runners.length, ...counts } });
    }
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const method = req.method ?? 'GET';
    const contentType = mediaType(req.headers['content-type']);
    const accept = req.headers.accept ?? '';
    try {
      const body = await readBody(req);
      const recorded: RecordedRequest = { at: Date.now(), method, path: url.pathname, query: url.search.slice(1), contentType, accept, body };
      this.requests.push(recorded);
      if (Date.now() < this.downUntil) {
        recorded.fault = 'restart';
        return resetConnection(req);
      }
      const watch = method === 'GET' && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
      const fault = takeFault(this.faults, { method, path: url.pathname, watch, body });
      if (fault) recorded.fault = fault.kind;
      switch (fault?.kind) {
        case 'status':
          return sendFaultStatus(res, fault);
        case 'reset':
          return resetConnection(req);
        case 'hang':
          return; // the socket stays open until the client gives up or the server stops
        case 'stall-body':
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.write('{"kind":');
          return;
        case 'delay':
          await new Promise((resolve) => setTimeout(resolve, fault.ms));
          break;
        case 'gone-event':
          if (watch) return sendGoneEvent(res, url.searchParams.get('resourceVersion') ?? '', this.store.resourceVersion);
          break;
        case 'cut-watch':
          if (watch) setTimeout(() => resetConnection(req), fault.afterMs);
          break;
        case 'lose-answer':
          loseAnswer(req, res);
          break;
      }
      this.authenticate(req);
      const resolved = resolve(url.pathname, this.registry, `127.0.0.1:${this.port}`);
      if ('document' in resolved) {
        if (method !== 'GET') throw new ApiError(405, `the server does not allow this method on the requested resource`);
        sendJson(res, 200, resolved.document);
        return;
      }
      this.serveResource(req, res, resolved.target, url.searchParams, contentType, body);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(500, String(error));
      if (res.headersSent) res.end();
      else sendJson(res, apiError.code, apiError.toStatus());
    }
  }

  private authenticate(req: IncomingMessage): void {
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
      throw new ApiError(401, 'Unauthorized');
    }
  }

  private serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    query: URLSearchParams,
    contentType: string,
    body: string,
  ): void {
    const dryRun = query.get('dryRun') === 'All';
    const item = target.name !== undefined;
    const send = (code: number, obj: StoredObject) => this.sendObject(req, res, code, target.type, obj, query);
    switch (`${req.method} ${item ? 'item' : 'collection'}`) {
      case 'GET item':
        return send(200, this.rest.get(target));
      case 'GET collection':
        if (query.get('watch') === 'true' || query.get('watch') === '1') return this.watch(req, res, target, query);
        return this.sendList(req, res, target.type, this.rest.list(target, query), query);
      case 'POST collection':
        if (target.type.namespaced && target.namespace === undefined) break;
        return send(201, this.rest.create(target, parseObjectBody(contentType, body), dryRun));
      case 'PUT item':
        return send(200, this.rest.update(target, parseObjectBody(contentType, body), dryRun));
      case 'PATCH item':
        return send(200, this.rest.patch(target, patchType(target.type, contentType), parseJson(body), dryRun));
      case 'DELETE item':
        return send(200, this.rest.delete(target, body ? parseJson(body) : undefined, dryRun));
      case 'DELETE collection':
        return this.sendList(req, res, target.type, this.rest.deleteCollection(target, query, dryRun), query);
    }
    throw new ApiError(405, 'the server does not allow this method on the requested resource');
  }

  private watch(req: IncomingMessage, res: ServerResponse, target: Target, query: URLSearchParams): void {
    const close = serveWatch(req, res, this.store, target.type, target.namespace, query);
    this.watches.set(close, req);
    res.on('close', () => this.watches.delete(close));
  }

  private sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    code: number,
    type: ResourceType,
    obj: StoredObject,
    query: URLSearchParams,
  ): void {
    if (!wantsTable(req)) return sendJson(res, code, obj);
    sendJson(res, code, toTable([obj], type.columns, { resourceVersion: obj.metadata.resourceVersion }, query.get('includeObject')));
  }

  private sendList(req: IncomingMessage, res: ServerResponse, type: ResourceType, list: ListResult, query: URLSearchParams): void {
    if (wantsTable(req)) return sendJson(res, 200, toTable(list.items, type.columns, list.metadata, query.get('includeObject')));
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: list.metadata,
      items: list.items.map((obj) => listItem(type, obj)),
    });
  }
}

function wantsTable(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('as=Table');
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`error decoding request body: ${(error as Error).message}`);
  }
}

/** Object bodies are JSON here; protobuf (kubectl's typed `create` generators) is not spoken. */
function parseObjectBody(contentType: string, body: string): unknown {
  if (contentType !== '' && contentType !== 'application/json') {
    throw new ApiError(415, `the body of the request was in an unknown format - accepted media types include: application/json`);
  }
  return parseJson(body);
}

/**
 * CRDs reject strategic merge patch (no Go struct carries the merge keys). Built-in kinds
 * accept it; treating it as a merge patch covers what kubectl sends for labels, annotations
 * and map fields, though not list merge keys or `$patch` directives.
 */
function patchType(type: ResourceType, contentType: string): string {
  if (PATCH_TYPES.includes(contentType)) return contentType;
  if (contentType === 'application/strategic-merge-patch+json' && !type.custom) return 'application/merge-patch+json';
  const accepted = type.custom ? PATCH_TYPES : [...PATCH_TYPES, 'application/strategic-merge-patch+json'];
  throw new ApiError(
    415,
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

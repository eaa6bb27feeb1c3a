import type { KubeClient } from '../kube/client.js';
import { discoverKinds, kindKey, listAll, type ApiResource, type LiveObject } from '../kube/list.js';

/**
 * The live side of a drift run: discovery once per group version, then at most one
 * (paged) LIST per kind and namespace, however many objects are compared. Lists are
 * cached, so asking twice costs nothing.
 */
export class LiveReader {
  private readonly kinds = new Map<string, ApiResource>();
  private readonly discovered = new Set<string>();
  private readonly lists = new Map<string, Promise<LiveObject[]>>();
  private readonly indexes = new Map<Promise<LiveObject[]>, Map<string, LiveObject>>();

  constructor(readonly client: KubeClient) {}

  /** Discovers the group versions not asked about yet. */
  async discover(apiVersions: Iterable<string>): Promise<void> {
    const fresh = [...new Set(apiVersions)].filter((v) => !this.discovered.has(v));
    fresh.forEach((v) => this.discovered.add(v));
    if (fresh.length === 0) return;
    for (const [key, resource] of await discoverKinds(this.client, fresh)) this.kinds.set(key, resource);
  }

  /** The kind as served, or undefined when the server does not serve it (e.g. a CRD not installed). */
  resource(apiVersion: string, kind: string): ApiResource | undefined {
    return this.kinds.get(kindKey(apiVersion, kind));
  }

  /** Every object of a served kind in a namespace (or cluster-wide for a cluster-scoped kind). */
  list(resource: ApiResource, namespace?: string): Promise<LiveObject[]> {
    const ns = resource.namespaced ? namespace : undefined;
    const key = `${kindKey(resource.apiVersion, resource.kind)}@${ns ?? ''}`;
    let list = this.lists.get(key);
    if (!list) {
      list = listAll(this.client, resource, ns);
      this.lists.set(key, list);
    }
    return list;
  }

  /** One object by name, from its kind's list. */
  async find(resource: ApiResource, namespace: string | undefined, name: string): Promise<LiveObject | undefined> {
    const list = this.list(resource, namespace);
    let index = this.indexes.get(list);
    if (!index) {
      index = new Map((await list).map((o) => [o.metadata.name, o]));
      this.indexes.set(list, index);
    }
    return index.get(name);
  }

  /** Runs the lists with a bounded number in flight: the API server is shared. */
  async listMany(requests: Array<{ resource: ApiResource; namespace?: string }>, concurrency = 6): Promise<void> {
    const queue = [...requests];
    await Promise.all(
      Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await this.list(next.resource, next.namespace);
      }),
    );
  }
}

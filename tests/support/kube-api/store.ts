// The in-memory etcd: objects per resource type, one global resourceVersion counter
// bumped on every write, and an event history so watches can start from an older version.
import type { ResourceType } from './resources.js';
import type { StoredObject } from './objects.js';
import { clone } from './objects.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  resourceType: ResourceType;
  object: StoredObject;
  /** The object before a MODIFIED, so selector watches can see objects enter and leave. */
  previous?: StoredObject;
  resourceVersion: number;
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private revision = 1;
  private readonly objects = new Map<ResourceType, Map<string, StoredObject>>();
  private readonly history: StoreEvent[] = [];
  /** Events at or below this version were dropped from the history (etcd compaction). */
  private compactedThrough = 0;
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  constructor(private readonly historyLimit = 10_000) {}

  get resourceVersion(): number {
    return this.revision;
  }

  get(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const found = this.bucket(type).get(key(namespace, name));
    return found && clone(found);
  }

  /** Sorted by namespace then name, the order etcd keys give a real LIST. */
  list(type: ResourceType, namespace?: string): StoredObject[] {
    return [...this.bucket(type).entries()]
      .filter(([, obj]) => namespace === undefined || obj.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => clone(obj));
  }

  /** Stores the object under a new resourceVersion and returns what was stored. */
  write(type: ResourceType, obj: StoredObject): StoredObject {
    const k = key(obj.metadata.namespace, obj.metadata.name);
    const previous = this.bucket(type).get(k);
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(++this.revision);
    this.bucket(type).set(k, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', resourceType: type, object: stored, previous });
    return clone(stored);
  }

  /** Removes the object; like etcd, the DELETED event carries the deletion's resourceVersion. */
  delete(type: ResourceType, namespace: string | undefined, name: string): StoredObject | undefined {
    const k = key(namespace, name);
    const existing = this.bucket(type).get(k);
    if (!existing) return undefined;
    this.bucket(type).delete(k);
    const gone = clone(existing);
    gone.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', resourceType: type, object: gone });
    return clone(gone);
  }

  /** Events for the type after `since`, or 'expired' when the history no longer reaches back that far. */
  eventsAfter(type: ResourceType, since: number): StoreEvent[] | 'expired' {
    if (since < this.compactedThrough) return 'expired';
    return this.history.filter((e) => e.resourceType === type && e.resourceVersion > since);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: Omit<StoreEvent, 'resourceVersion'>): void {
    const full = { ...event, resourceVersion: this.revision };
    this.history.push(full);
    while (this.history.length > this.historyLimit) this.compactedThrough = this.history.shift()!.resourceVersion;
    for (const listener of this.listeners) listener(full);
  }

  private bucket(type: ResourceType): Map<string, StoredObject> {
    let bucket = this.objects.get(type);
    if (!bucket) this.objects.set(type, (bucket = new Map()));
    return bucket;
  }
}

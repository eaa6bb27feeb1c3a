// `?watch=true`: a chunked stream of newline-delimited {type, object} events, as the
// apiserver sends and client-go / @kubernetes/client-node's Watch read.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, statusBody } from './errors.js';
import type { KubeObject, StoredObject } from './objects.js';
import type { ResourceType } from './resources.js';
import { apiVersionOf } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Store, StoreEvent } from './store.js';

type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * Which event a selector-filtered watcher sees: an object that starts matching is
 * ADDED to it, one that stops matching is DELETED, as in the apiserver's watch cache.
 */
function translate(event: StoreEvent, matches: (obj: KubeObject) => boolean): WatchType | undefined {
  const now = matches(event.object);
  if (event.type !== 'MODIFIED') return now ? event.type : undefined;
  const before = event.previous !== undefined && matches(event.previous);
  if (now) return before ? 'MODIFIED' : 'ADDED';
  return before ? 'DELETED' : undefined;
}

/** Serves one watch until the client leaves, `timeoutSeconds` passes, or the returned closer runs. */
export function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  store: Store,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
): () => void {
  const byLabel = parseLabelSelector(query.get('labelSelector'));
  const byField = parseFieldSelector(query.get('fieldSelector'), type.fieldLabels);
  const matches = (obj: KubeObject) =>
    (namespace === undefined || obj.metadata.namespace === namespace) && byLabel(obj) && byField(obj);
  const since = query.get('resourceVersion') ?? '';
  const sendInitial = query.get('sendInitialEvents') === 'true' || since === '' || since === '0';
  if (!sendInitial && !/^\d+$/.test(since)) throw badRequest(`invalid resource version: ${since}`);

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const send = (eventType: WatchType, object: unknown) => res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  const close = () => {
    unsubscribe();
    clearTimeout(timer);
    res.end();
  };

  if (sendInitial) {
    for (const obj of store.list(type, namespace).filter(matches)) send('ADDED', obj);
    if (query.get('sendInitialEvents') === 'true' && query.get('allowWatchBookmarks') === 'true') {
      send('BOOKMARK', bookmark(type, store.resourceVersion, { 'k8s.io/initial-events-end': 'true' }));
    }
  } else {
    const history = store.eventsAfter(type, Number(since));
    if (history === 'expired') {
      send('ERROR', statusBody(410, `too old resource version: ${since}`, 'Expired'));
      res.end();
      return () => undefined;
    }
    replay(history, matches, send);
  }

  const unsubscribe = store.subscribe((event) => {
    if (event.resourceType === type) replay([event], matches, send);
  });
  const seconds = Number(query.get('timeoutSeconds') ?? 0);
  const timer = seconds > 0 ? setTimeout(close, seconds * 1000) : undefined;
  req.on('close', close);
  return close;
}

function replay(events: StoreEvent[], matches: (obj: KubeObject) => boolean, send: (t: WatchType, o: StoredObject) => void): void {
  for (const event of events) {
    const eventType = translate(event, matches);
    if (eventType) send(eventType, event.object);
  }
}

function bookmark(type: ResourceType, resourceVersion: number, annotations: Record<string, string>): KubeObject {
  return {
    kind: type.kind,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: String(resourceVersion), annotations },
  };
}

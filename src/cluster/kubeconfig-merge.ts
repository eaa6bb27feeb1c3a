// Merging a cluster's admin kubeconfig into the user's. talosctl's own merge renames on
// conflict when not at a terminal ("admin@lab-1"), leaving two contexts for one cluster
// (siderolabs/go-kubeconfig merge.go); foundation merges by name and by API server instead.

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Array<Named<{ server?: string; [key: string]: unknown }>>;
  users?: Array<Named<Record<string, unknown>>>;
  contexts?: Array<Named<{ cluster?: string; user?: string; namespace?: string; [key: string]: unknown }>>;
  'current-context'?: string;
  [key: string]: unknown;
}

export interface MergeResult {
  config: Kubeconfig;
  /** Contexts removed because they reached the same API server under another name. */
  replaced: string[];
}

/**
 * Puts the fetched kubeconfig's current context into `existing` as `contextName`, with
 * cluster entry `contextName` and user `admin@<contextName>`. Any other context whose
 * cluster has the same server is removed, with cluster and user entries nothing else
 * uses. current-context changes only when it named a removed context or was unset.
 */
export function mergeKubeconfig(existing: Kubeconfig | undefined, fetched: Kubeconfig, contextName: string): MergeResult {
  const fetchedContext = fetched.contexts?.find((c) => c.name === fetched['current-context']) ?? fetched.contexts?.[0];
  const cluster = fetched.clusters?.find((c) => c.name === fetchedContext?.context?.cluster);
  const user = fetched.users?.find((u) => u.name === fetchedContext?.context?.user);
  if (!fetchedContext || !cluster?.cluster?.server || !user) throw new Error('the fetched kubeconfig has no complete context (cluster, server and user)');
  const server = cluster.cluster.server;
  const userName = `admin@${contextName}`;

  const base: Kubeconfig = existing ?? { apiVersion: 'v1', kind: 'Config', preferences: {} };
  const clusters = base.clusters ?? [];
  const users = base.users ?? [];
  const contexts = base.contexts ?? [];
  const serverOf = (name: string | undefined) => clusters.find((c) => c.name === name)?.cluster?.server;
  const removed = contexts.filter((c) => c.name === contextName || serverOf(c.context?.cluster) === server);
  const kept = contexts.filter((c) => !removed.includes(c));
  const stillUsed = (field: 'cluster' | 'user', name: string) => kept.some((c) => c.context?.[field] === name);
  const dropCluster = new Set(removed.map((c) => c.context?.cluster).filter((n): n is string => Boolean(n) && !stillUsed('cluster', n!)));
  const dropUser = new Set(removed.map((c) => c.context?.user).filter((n): n is string => Boolean(n) && !stillUsed('user', n!)));
  dropCluster.add(contextName);
  dropUser.add(userName);

  const current = base['current-context'];
  const config: Kubeconfig = {
    ...base,
    apiVersion: base.apiVersion ?? 'v1',
    kind: base.kind ?? 'Config',
    clusters: [...clusters.filter((c) => !dropCluster.has(c.name)), { name: contextName, cluster: cluster.cluster }],
    users: [...users.filter((u) => !dropUser.has(u.name)), { name: userName, user: user.user }],
    contexts: [...kept, { name: contextName, context: { ...fetchedContext.context, cluster: contextName, user: userName } }],
    'current-context': !current || removed.some((c) => c.name === current) ? contextName : current,
  };
  return { config, replaced: removed.map((c) => c.name).filter((name) => name !== contextName) };
}

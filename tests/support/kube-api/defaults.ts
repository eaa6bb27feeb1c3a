// The defaulting and canonicalization the apiserver applies on every write of a
// Deployment, ReplicaSet or Service (k8s.io/kubernetes pkg/apis/apps/v1/defaults.go,
// pkg/apis/core/v1/defaults.go, and resource.Quantity's canonical form), so a client
// that compares declared objects with live ones sees the same extra fields and
// rewritten values as against a real cluster.
import type { JsonObject, KubeObject } from './objects.js';
import { isObject } from './objects.js';

const DECIMAL: Array<[string, number]> = [['E', 1e18], ['P', 1e15], ['T', 1e12], ['G', 1e9], ['M', 1e6], ['k', 1e3]];
const BINARY: Array<[string, number]> = [['Ei', 2 ** 60], ['Pi', 2 ** 50], ['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]];
const SCALE: Record<string, number> = { m: 1e-3, '': 1, ...Object.fromEntries(DECIMAL), ...Object.fromEntries(BINARY) };

/** resource.Quantity's canonical string: "1000m" -> "1", "1024Mi" -> "1Gi", "0.5" -> "500m", "2000" -> "2k". */
export function canonicalQuantity(text: string): string {
  const m = String(text).match(/^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/);
  if (!m) return text;
  const suffix = m[2] ?? '';
  const value = suffix === 'm' ? Number(m[1]) / 1000 : Number(m[1]) * SCALE[suffix]!;
  if (suffix.endsWith('i') && Number.isInteger(value)) {
    const [unit, size] = BINARY.find(([, s]) => value % s === 0) ?? ['', 1];
    return `${value / size}${unit}`;
  }
  if (Number.isInteger(value)) {
    const [unit, size] = DECIMAL.find(([, s]) => value % s === 0) ?? ['', 1];
    return `${value / size}${unit}`;
  }
  return `${Math.round(value * 1000)}m`;
}

function canonicalResources(container: JsonObject): void {
  const resources = isObject(container.resources) ? container.resources : undefined;
  if (!resources) return;
  for (const list of ['limits', 'requests']) {
    const values = resources[list];
    if (isObject(values)) for (const [k, v] of Object.entries(values)) values[k] = canonicalQuantity(String(v));
  }
  // A container with limits and no requests gets requests equal to the limits.
  if (isObject(resources.limits)) resources.requests = { ...resources.limits, ...(isObject(resources.requests) ? resources.requests : {}) };
}

function defaultContainer(container: JsonObject): void {
  container.terminationMessagePath ??= '/dev/termination-log';
  container.terminationMessagePolicy ??= 'File';
  const image = String(container.image ?? '');
  const tag = image.includes('@') ? 'digest' : image.split('/').pop()!.split(':')[1];
  container.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  if (Array.isArray(container.ports)) for (const port of container.ports) if (isObject(port)) port.protocol ??= 'TCP';
  canonicalResources(container);
}

function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  for (const list of ['containers', 'initContainers']) {
    const containers = spec[list];
    if (Array.isArray(containers)) for (const c of containers) if (isObject(c)) defaultContainer(c);
  }
}

function podTemplate(obj: KubeObject): void {
  const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  const template = isObject(spec.template) ? spec.template : undefined;
  if (template && isObject(template.spec)) defaultPodSpec(template.spec);
}

export function defaultDeployment(obj: KubeObject): void {
  podTemplate(obj);
  const spec = obj.spec as JsonObject;
  spec.progressDeadlineSeconds ??= 600;
  const strategy = isObject(spec.strategy) ? spec.strategy : (spec.strategy = {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = isObject(strategy.rollingUpdate) ? strategy.rollingUpdate : (strategy.rollingUpdate = {});
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
  }
}

export function defaultReplicaSet(obj: KubeObject): void {
  const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
  spec.replicas ??= 1;
  const template = isObject(spec.template) ? spec.template : undefined;
  if (template && isObject(template.spec)) defaultPodSpec(template.spec);
}

let nextClusterIp = 10;

export function defaultService(obj: KubeObject): void {
  const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    spec.clusterIP ??= `10.96.0.${nextClusterIp++ % 250}`;
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports) {
      if (!isObject(port)) continue;
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
  }
}

// The roadmap's Phase 5 minimum, read from the cluster: storage, ingress, DNS, secrets
// operator CRDs and the exit-proof workload.
import type { KubeClient } from './client.js';
import { apiStatus, kubeError } from './client.js';
import { deploymentAvailability } from './deployment-available.js';

export interface ReadinessCheck {
  name: string;
  ready: boolean;
  detail: string;
}

export interface ReadinessOptions {
  secretsOperatorCrds: string[];
  exitProof?: { namespace: string; deployment: string };
}

const DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
const DEFAULT_CLASS_BETA = 'storageclass.beta.kubernetes.io/is-default-class';
const DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';

export async function readinessChecks(client: KubeClient, options: ReadinessOptions): Promise<ReadinessCheck[]> {
  const checks = [defaultStorageClass(client), ingressClass(client), coreDns(client), ...options.secretsOperatorCrds.map((crd) => crdEstablished(client, crd))];
  if (options.exitProof) checks.push(exitProof(client, options.exitProof.namespace, options.exitProof.deployment));
  return Promise.all(checks);
}

/** The admission plugin treats "true" in either annotation as default (kubernetes pkg/volume/util). */
async function defaultStorageClass(client: KubeClient): Promise<ReadinessCheck> {
  const storage = client.api(client.k8s.StorageV1Api);
  const list = await call(client, 'list StorageClasses', () => storage.listStorageClass());
  const defaults = list.items.filter((sc) => [DEFAULT_CLASS, DEFAULT_CLASS_BETA].some((a) => sc.metadata?.annotations?.[a] === 'true')).map((sc) => sc.metadata!.name!);
  if (defaults.length === 0) {
    const names = list.items.map((sc) => sc.metadata?.name).join(', ');
    return { name: 'default-storageclass', ready: false, detail: `no default StorageClass (${names ? `classes: ${names}; none` : 'no StorageClass at all; none'} annotated ${DEFAULT_CLASS}=true)` };
  }
  return { name: 'default-storageclass', ready: true, detail: `default StorageClass ${defaults.join(', ')}` };
}

async function ingressClass(client: KubeClient): Promise<ReadinessCheck> {
  const networking = client.api(client.k8s.NetworkingV1Api);
  const list = await call(client, 'list IngressClasses', () => networking.listIngressClass());
  if (list.items.length === 0) return { name: 'ingressclass', ready: false, detail: 'no IngressClass: install an ingress controller' };
  const describe = list.items.map((ic) => `${ic.metadata?.name} (${ic.spec?.controller ?? 'no controller'}${ic.metadata?.annotations?.[DEFAULT_INGRESS_CLASS] === 'true' ? ', default' : ''})`);
  return { name: 'ingressclass', ready: true, detail: `IngressClass ${describe.join(', ')}` };
}

/** CoreDNS pods carry k8s-app=kube-dns in kube-system, as `talosctl health` looks for them. */
async function coreDns(client: KubeClient): Promise<ReadinessCheck> {
  const pods = await call(client, 'list CoreDNS pods', () => client.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: 'k8s-app=kube-dns' }));
  const ready = pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (pods.items.length === 0) return { name: 'dns', ready: false, detail: 'no CoreDNS pods (kube-system, k8s-app=kube-dns)' };
  const detail = `${ready.length}/${pods.items.length} CoreDNS pods ready`;
  return { name: 'dns', ready: ready.length === pods.items.length, detail };
}

async function crdEstablished(client: KubeClient, name: string): Promise<ReadinessCheck> {
  const extensions = client.api(client.k8s.ApiextensionsV1Api);
  const check = `crd/${name}`;
  try {
    const crd = await extensions.readCustomResourceDefinition({ name });
    const established = crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
    return { name: check, ready: Boolean(established), detail: established ? `CRD ${name} established` : `CRD ${name} exists but is not Established` };
  } catch (error) {
    if (apiStatus(error) === 404) return { name: check, ready: false, detail: `CRD ${name} is not installed (secrets operator missing?)` };
    throw kubeError(client, error, `read CRD ${name}`);
  }
}

async function exitProof(client: KubeClient, namespace: string, name: string): Promise<ReadinessCheck> {
  const { available, detail } = await deploymentAvailability(client, namespace, name);
  return { name: 'exit-proof', ready: available, detail };
}

async function call<T>(client: KubeClient, doing: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw kubeError(client, error, doing);
  }
}

// The live cluster that matches tests/fixtures/drift/states/*.state.json: what the kubernetes
// and helm providers would have created, plus what the control plane adds (defaults,
// status, uid/resourceVersion/managedFields, owned ReplicaSets, kube-root-ca.crt), so
// that with nothing edited drift finds nothing. Tests then edit it the way an operator
// with kubectl would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { REPO_ROOT } from './cli.js';
import { helmReleaseSecret, scaleSetManifest, scaleSetValues, type HelmReleaseStatus } from './helm-release.js';
import { KubeApiServer, type KubeObject, type RecordedRequest, type StoredObject } from './kube-api-server.js';
import { writeKubeconfig } from './kubeconfig.js';
import { copyFixture, removeFixtures } from './project.js';
import { startLocalS3, type LocalS3 } from './s3.js';
import { b64 } from './drift-bulk.js';

export { b64 };

export const STATES = path.join(REPO_ROOT, 'tests', 'fixtures', 'drift', 'states');
/** The value of kubernetes_secret_v1.db's password in state: must never be printed. */
export const STATE_CANARY = 'canary-s3cr3t-7f3a9e';
const TOKEN = 'test-drift-token-51c9';
export const PODINFO_CHART = { name: 'podinfo', version: '6.5.0', appVersion: '6.5.0' };

export interface DriftCluster {
  server: KubeApiServer;
  s3: LocalS3;
  dir: string;
  kubeconfig: string;
  /** ENV, backend variables and KUBECONFIG for the CLI. */
  env: Record<string, string>;
  /** Uploads a state document (an object, or raw text) at a stack's key for ENV dev. */
  uploadState(stack: string, state: unknown): Promise<void>;
  /** Requests to the test API from now on. */
  requestsFrom(): () => RecordedRequest[];
}

const running: Array<{ stop(): Promise<void> }> = [];

export function cleanUpDriftClusters(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    removeFixtures();
  });
}

/** The test API (https, bearer token), s3rver with the fixture states uploaded, and a copy of tests/fixtures/drift. */
export async function driftCluster({ seed = true } = {}): Promise<DriftCluster> {
  const server = await new KubeApiServer({ token: TOKEN }).start();
  const s3 = await startLocalS3();
  running.push(server, s3);
  const dir = copyFixture('drift');
  const kubeconfig = await writeKubeconfig(server, { token: TOKEN, context: 'test-drift' });
  const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  running.push({ stop: async () => client.destroy() });
  const uploadState = async (stack: string, state: unknown) => {
    const body = typeof state === 'string' ? state : JSON.stringify(state, null, 2);
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `dev/${stack}/terraform.tfstate`, Body: body }));
  };
  if (seed) {
    await uploadState('web', readFileSync(path.join(STATES, 'web.state.json'), 'utf8'));
    await uploadState('runners', readFileSync(path.join(STATES, 'runners.state.json'), 'utf8'));
    seedWeb(server);
    seedRunners(server);
  }
  return {
    server,
    s3,
    dir,
    kubeconfig,
    env: { ...s3.env, ENV: 'dev', KUBECONFIG: kubeconfig },
    uploadState,
    requestsFrom: () => {
      const start = server.requests.length;
      return () => server.requests.slice(start);
    },
  };
}

/** What the API server adds to every object it stores and a controller reports. */
function serverMetadata(manager: string): Record<string, unknown> {
  return {
    managedFields: [{ manager, operation: 'Update', apiVersion: 'v1', time: '2026-11-20T09:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }],
  };
}

function deploymentStatus(replicas: number): Record<string, unknown> {
  return { observedGeneration: 1, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }] };
}

/** A Deployment's current ReplicaSet, owned by it: never "unmanaged". */
function ownedReplicaSet(server: KubeApiServer, deployment: StoredObject): void {
  const spec = deployment.spec as { replicas: number; template: { metadata?: { labels?: Record<string, string> } } };
  server.put({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${deployment.metadata.name}-7d9f8c6b5`,
      namespace: deployment.metadata.namespace,
      labels: { ...spec.template.metadata?.labels, 'pod-template-hash': '7d9f8c6b5' },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name, uid: deployment.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { replicas: spec.replicas, selector: { matchLabels: spec.template.metadata?.labels }, template: spec.template },
    status: { replicas: spec.replicas },
  });
}

export const PODINFO_LABELS = {
  'helm.sh/chart': 'podinfo-6.5.0',
  'app.kubernetes.io/name': 'podinfo',
  'app.kubernetes.io/version': '6.5.0',
  'app.kubernetes.io/managed-by': 'Helm',
};

/** podinfo's rendered manifest, as Helm stores it; replicas is the one value the revisions differ in. */
export function podinfoManifest(replicas: number): string {
  const labels = Object.entries(PODINFO_LABELS)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `---
# Source: podinfo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: podinfo
  labels:
${labels}
spec:
  type: ClusterIP
  ports:
    - port: 9898
      targetPort: http
      protocol: TCP
      name: http
  selector:
    app.kubernetes.io/name: podinfo
---
# Source: podinfo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
  labels:
${labels}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: podinfo
  template:
    metadata:
      labels:
        app.kubernetes.io/name: podinfo
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9898"
    spec:
      containers:
        - name: podinfo
          image: "ghcr.io/stefanprodan/podinfo:6.5.0"
          imagePullPolicy: IfNotPresent
          command:
            - ./podinfo
            - --port=9898
            - --level=info
          ports:
            - name: http
              containerPort: 9898
              protocol: TCP
          resources:
            limits:
              memory: 512Mi
            requests:
              cpu: 100m
              memory: 64Mi
`;
}

/** What `helm install/upgrade` leaves: the manifest's objects (with Helm's ownership metadata) in the release namespace. */
export function applyManifest(server: KubeApiServer, manifest: string, release: string, namespace: string): StoredObject[] {
  return parseAllDocuments(manifest).map((doc) => {
    const object = doc.toJS() as KubeObject;
    const stored = server.put({
      ...object,
      metadata: {
        ...object.metadata,
        namespace,
        labels: { ...object.metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' },
        annotations: { ...object.metadata.annotations, 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace },
        ...serverMetadata('helm'),
      },
    });
    if (stored.kind === 'Deployment') {
      server.put({ ...stored, status: deploymentStatus((stored.spec as { replicas: number }).replicas) });
      ownedReplicaSet(server, stored);
    }
    return stored;
  });
}

/** Stores one revision record of a release. */
export function putReleaseRecord(server: KubeApiServer, options: { namespace: string; release: string; revision: number; status: HelmReleaseStatus; manifest: string; chart?: typeof PODINFO_CHART; values?: Record<string, unknown> }): void {
  server.put(helmReleaseSecret(options));
}

/** The objects of web.state.json, as the providers created them and the server stores them. */
function seedWeb(server: KubeApiServer): void {
  const ns = 'web';
  server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: ns, annotations: { 'kubernetes.io/description': 'Contains a CA bundle' } }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' } });
  server.put({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });

  // kubernetes_deployment_v1.api: the provider sends every attribute it has a value for.
  const api = server.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: ns, labels: { app: 'api' }, annotations: { 'deployment.kubernetes.io/revision': '1' }, ...serverMetadata('Terraform') },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { labels: { app: 'api' } },
        spec: {
          automountServiceAccountToken: true,
          containers: [
            {
              name: 'api',
              image: 'ghcr.io/example/api:1.4.2',
              imagePullPolicy: 'IfNotPresent',
              env: [{ name: 'LOG_LEVEL', value: 'info' }],
              ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
              resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '250m', memory: '256Mi' } },
            },
          ],
        },
      },
    },
  });
  server.put({ ...api, status: deploymentStatus(2) });
  ownedReplicaSet(server, api);
  server.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: ns, ...serverMetadata('Terraform') },
    spec: { clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], selector: { app: 'api' } },
  });
  server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: ns, labels: { app: 'api' } }, data: { FEATURE_X: 'on', LOG_FORMAT: 'json' } });
  server.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, type: 'Opaque', data: { password: b64(STATE_CANARY), username: b64('api') } });

  // kubernetes_manifest.worker and its HPA: the HPA has scaled the Deployment to 4.
  const worker = server.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'worker', namespace: ns, labels: { app: 'worker' }, annotations: { 'deployment.kubernetes.io/revision': '3' }, ...serverMetadata('Terraform') },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'worker' } },
      template: {
        metadata: { labels: { app: 'worker' } },
        spec: { containers: [{ name: 'worker', image: 'ghcr.io/example/worker:2.0.1', ports: [{ containerPort: 9000, name: 'metrics' }], resources: { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: '500m', memory: '512Mi' } } }] },
      },
    },
  });
  server.put({ ...worker, metadata: { ...worker.metadata, generation: 3 }, status: deploymentStatus(4) });
  ownedReplicaSet(server, worker);
  server.put({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'worker', namespace: ns },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }] },
    status: { currentReplicas: 4, desiredReplicas: 4 },
  });

  // helm_release.podinfo: revision 1 (1 replica) superseded by revision 2 (2 replicas).
  putReleaseRecord(server, { namespace: ns, release: 'podinfo', revision: 1, status: 'superseded', manifest: podinfoManifest(1), chart: PODINFO_CHART, values: {} });
  putReleaseRecord(server, { namespace: ns, release: 'podinfo', revision: 2, status: 'deployed', manifest: podinfoManifest(2), chart: PODINFO_CHART, values: { replicaCount: 2 } });
  applyManifest(server, podinfoManifest(2), 'podinfo', ns);
}

/** helm_release.nix_baseline: the gha-runner-scale-set chart's objects and revision 1 of its record. */
function seedRunners(server: KubeApiServer): void {
  const options = { namespace: 'arc-runners', name: 'nix-baseline', min: 1, max: 10 };
  const manifest = scaleSetManifest(options);
  putReleaseRecord(server, { namespace: options.namespace, release: options.name, revision: 1, status: 'deployed', manifest, values: scaleSetValues(options) });
  for (const object of applyManifest(server, manifest, options.name, options.namespace)) {
    // the ARC controller's own annotation on the scale set it registered
    if (object.kind === 'AutoscalingRunnerSet') server.put({ ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, 'runner-scale-set-id': '1' } }, status: { currentRunners: 1 } });
  }
}



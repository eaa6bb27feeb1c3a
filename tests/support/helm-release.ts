// Helm 3 release records as the "secret" storage driver keeps them, and scale sets that a
// gha-runner-scale-set Helm release manages, so tests can stand up what `helm install`
// leaves in a cluster and read back what `helm upgrade` (or tests/support/helm-upgrade-stand-in.mjs)
// wrote. Checked against helm v3.19 pkg/storage/driver/{secrets,util}.go, pkg/release and
// pkg/action/{action,upgrade}.go, and the actions-runner-controller chart templates.
//
// A revision is the Secret `sh.helm.release.v1.<release>.v<revision>` (type helm.sh/release.v1,
// labels owner=helm, name, status, version, createdAt) whose `data.release` is, over the
// Secret's own base64, Helm's base64 of the gzipped JSON of the release.
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeApiServer, KubeObject } from './kube-api-server.js';

const ARC = 'actions.github.com/v1alpha1';
const DEFAULT_CONFIG_URL = 'https://github.com/example-org';
/** The chart as `helm install ... oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set` records it. */
const CHART = { name: 'gha-runner-scale-set', version: '0.12.0', appVersion: '0.12.0' };
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];
/** Go's zero time.Time: Info.deleted has no omitempty, so Helm always writes it. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export const HELM_RELEASE_NAME_ANNOTATION = 'meta.helm.sh/release-name';
export const HELM_RELEASE_NAMESPACE_ANNOTATION = 'meta.helm.sh/release-namespace';

export type HelmReleaseStatus =
  | 'unknown'
  | 'deployed'
  | 'uninstalled'
  | 'superseded'
  | 'failed'
  | 'uninstalling'
  | 'pending-install'
  | 'pending-upgrade'
  | 'pending-rollback';

/** The JSON Helm stores (fields this module writes; real records carry more under `chart`). */
export interface HelmRelease {
  name: string;
  info: { first_deployed: string; last_deployed: string; deleted: string; description: string; status: string };
  chart: { metadata: { name: string; version: string; appVersion: string; [key: string]: unknown }; [key: string]: unknown };
  config?: Record<string, unknown>;
  manifest: string;
  version: number;
  namespace: string;
}

// ---- the storage encoding ----

/** The value of the Secret's `data.release`: base64 (Secret) of base64 (Helm) of gzip of the JSON. */
export function encodeHelmRelease(release: object): string {
  const helmEncoded = gzipSync(JSON.stringify(release), { level: 9 }).toString('base64');
  return Buffer.from(helmEncoded).toString('base64');
}

/** The inverse of encodeHelmRelease; like Helm, accepts records stored before gzip was introduced. */
export function decodeHelmRelease(data: string): any {
  const helmEncoded = Buffer.from(data, 'base64').toString('latin1');
  let bytes = Buffer.from(helmEncoded, 'base64');
  if (bytes.length > 3 && GZIP_MAGIC.every((b, i) => bytes[i] === b)) bytes = gunzipSync(bytes);
  return JSON.parse(bytes.toString('utf8'));
}

// ---- what the gha-runner-scale-set chart renders ----

export interface ScaleSetManifestOptions {
  name: string;
  namespace: string;
  /** spec.minRunners; omitted from values and manifest when undefined (the chart's default). */
  min?: number;
  /** spec.maxRunners; omitted when undefined, which ARC reads as unlimited. */
  max?: number;
  githubConfigUrl?: string;
}

/** The user-supplied values (`config` of the release) for one scale set. */
export function scaleSetValues(options: ScaleSetManifestOptions): Record<string, unknown> {
  return {
    githubConfigUrl: options.githubConfigUrl ?? DEFAULT_CONFIG_URL,
    githubConfigSecret: { github_token: 'test-github-token' },
    runnerScaleSetName: options.name,
    ...(options.min === undefined ? {} : { minRunners: options.min }),
    ...(options.max === undefined ? {} : { maxRunners: options.max }),
  };
}

/** JSON with object keys sorted, as Go's encoding/json writes maps. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/**
 * The chart's `actions.github.com/values-hash` annotation (`toJson .Values | sha256sum | trunc 63`).
 * Hashed over the user values only, so the stand-in can recompute it; it changes when they do.
 */
export function valuesHash(values: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(values)).digest('hex').slice(0, 63);
}

function labelLines(name: string, namespace: string, indent: string): string {
  return [
    `helm.sh/chart: gha-rs-${CHART.version}`,
    `app.kubernetes.io/name: ${name}`,
    `app.kubernetes.io/instance: ${name}`,
    `app.kubernetes.io/version: "${CHART.appVersion}"`,
    'app.kubernetes.io/managed-by: Helm',
    'app.kubernetes.io/part-of: gha-rs',
    `actions.github.com/scale-set-name: ${name}`,
    `actions.github.com/scale-set-namespace: ${namespace}`,
  ]
    .map((line) => indent + line)
    .join('\n');
}

/**
 * The release manifest as Helm stores it for the chart in its default container mode: each
 * document as `---\n# Source: <chart>/templates/<file>\n<yaml>\n`, in Helm's install order
 * (ServiceAccount, Secret, Role, RoleBinding, then custom kinds). maxRunners precedes
 * minRunners, as in the chart's template; each appears only when set.
 */
export function scaleSetManifest(options: ScaleSetManifestOptions): string {
  const { name, namespace } = options;
  const values = scaleSetValues(options);
  const fullname = `${name}-gha-rs`;
  const labels = labelLines(name, namespace, '    ');
  const token = Buffer.from(String((values.githubConfigSecret as { github_token: string }).github_token)).toString('base64');
  const documents: [string, string][] = [
    [
      'no_permission_serviceaccount.yaml',
      `apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${fullname}-no-permission
  namespace: ${namespace}
  labels:
${labels}`,
    ],
    [
      'githubsecret.yaml',
      `apiVersion: v1
kind: Secret
metadata:
  name: ${fullname}-github-secret
  namespace: ${namespace}
  labels:
${labels}
  finalizers:
    - actions.github.com/cleanup-protection
data:
  github_token: ${token}`,
    ],
    [
      'manager_role.yaml',
      `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${fullname}-manager
  namespace: ${namespace}
  labels:
${labels}
    app.kubernetes.io/component: manager-role
  finalizers:
    - actions.github.com/cleanup-protection
rules:
- apiGroups:
  - ""
  resources:
  - pods
  verbs:
  - create
  - delete
  - get
  - update
  - patch
- apiGroups:
  - ""
  resources:
  - secrets
  verbs:
  - create
  - delete
  - get
  - list
  - patch
  - update`,
    ],
    [
      'manager_role_binding.yaml',
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${fullname}-manager
  namespace: ${namespace}
  labels:
    app.kubernetes.io/part-of: gha-runner-scale-set-controller
    app.kubernetes.io/component: manager-role-binding
    app.kubernetes.io/version: ${CHART.version}
    actions.github.com/scale-set-name: ${name}
    actions.github.com/scale-set-namespace: ${namespace}
  finalizers:
    - actions.github.com/cleanup-protection
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: ${fullname}-manager
subjects:
- kind: ServiceAccount
  name: arc-gha-rs-controller
  namespace: arc-systems`,
    ],
    [
      'autoscalingrunnerset.yaml',
      `apiVersion: ${ARC}
kind: AutoscalingRunnerSet
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/component: "autoscaling-runner-set"
${labels}
  annotations:
    actions.github.com/values-hash: ${valuesHash(values)}
    actions.github.com/cleanup-github-secret-name: ${fullname}-github-secret
    actions.github.com/cleanup-manager-role-binding: ${fullname}-manager
    actions.github.com/cleanup-manager-role-name: ${fullname}-manager
    actions.github.com/cleanup-no-permission-service-account-name: ${fullname}-no-permission
spec:
  githubConfigUrl: ${String(values.githubConfigUrl)}
  githubConfigSecret: ${fullname}-github-secret
  runnerScaleSetName: ${name}
${options.max === undefined ? '' : `  maxRunners: ${options.max}\n`}${options.min === undefined ? '' : `  minRunners: ${options.min}\n`}  template:
    spec:
      restartPolicy: Never
      serviceAccountName: ${fullname}-no-permission
      containers:
      - name: runner
        command:
        - /home/runner/run.sh
        image: ghcr.io/actions/actions-runner:latest`,
    ],
  ];
  return documents.map(([file, yaml]) => `---\n# Source: ${CHART.name}/templates/${file}\n${yaml}\n`).join('');
}

// ---- release records ----

export interface HelmReleaseSecretOptions {
  namespace: string;
  release: string;
  revision: number;
  status: HelmReleaseStatus;
  manifest: string;
  /** The release's `config` (user values); omitted from the record when undefined. */
  values?: Record<string, unknown>;
  /** The chart's name and versions (default: gha-runner-scale-set 0.12.0). */
  chart?: { name: string; version: string; appVersion: string };
}

export function helmReleaseSecretName(release: string, revision: number): string {
  return `sh.helm.release.v1.${release}.v${revision}`;
}

/** The Secret Helm's storage driver writes for one revision (as on `helm install`/`upgrade`). */
export function helmReleaseSecret(options: HelmReleaseSecretOptions): KubeObject {
  const { namespace, release, revision, status, manifest, values, chart = CHART } = options;
  const now = new Date().toISOString();
  // Field order follows the Go structs (release.Release, release.Info), as json.Marshal writes them.
  const record: HelmRelease = {
    name: release,
    info: {
      first_deployed: now,
      last_deployed: now,
      deleted: ZERO_TIME,
      description: revision === 1 ? 'Install complete' : 'Upgrade complete',
      status,
    },
    chart: {
      metadata: {
        name: chart.name,
        version: chart.version,
        description: chart === CHART ? 'A Helm chart for deploying an AutoScalingRunnerSet' : `A Helm chart for ${chart.name}`,
        apiVersion: 'v2',
        appVersion: chart.appVersion,
        type: 'application',
      },
      lock: null,
      templates: [],
      values: { githubConfigUrl: '', githubConfigSecret: { github_token: '' } },
      schema: null,
      files: [],
    },
    ...(values === undefined ? {} : { config: values }),
    manifest,
    version: revision,
    namespace,
  };
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: helmReleaseSecretName(release, revision),
      namespace,
      labels: {
        createdAt: String(Math.floor(Date.now() / 1000)),
        name: release,
        owner: 'helm',
        status,
        version: String(revision),
      },
    },
    type: 'helm.sh/release.v1',
    data: { release: encodeHelmRelease(record) },
  };
}

export interface HelmManagedScaleSetOptions {
  namespace: string;
  name: string;
  min?: number;
  max?: number;
}

/**
 * What `helm install <name> gha-runner-scale-set -n <namespace>` leaves behind for the CLI:
 * the AutoscalingRunnerSet (min/max absent when undefined) carrying Helm's ownership
 * metadata, and release revision 1, deployed, whose manifest renders that scale set.
 */
export function addHelmManagedScaleSet(server: KubeApiServer, options: HelmManagedScaleSetOptions): void {
  const { namespace, name, min, max } = options;
  const created = server.addScaleSet({
    namespace,
    name,
    min: min ?? 0,
    max: max ?? 0,
    labels: { 'helm.sh/chart': `gha-rs-${CHART.version}`, 'app.kubernetes.io/version': CHART.appVersion },
  });
  const spec = { ...(created.spec as Record<string, unknown>) };
  if (min === undefined) delete spec.minRunners;
  if (max === undefined) delete spec.maxRunners;
  const values = scaleSetValues(options);
  const fullname = `${name}-gha-rs`;
  server.put({
    ...created,
    metadata: {
      ...created.metadata,
      annotations: {
        ...created.metadata.annotations,
        'actions.github.com/values-hash': valuesHash(values),
        'actions.github.com/cleanup-github-secret-name': `${fullname}-github-secret`,
        'actions.github.com/cleanup-manager-role-binding': `${fullname}-manager`,
        'actions.github.com/cleanup-manager-role-name': `${fullname}-manager`,
        'actions.github.com/cleanup-no-permission-service-account-name': `${fullname}-no-permission`,
        [HELM_RELEASE_NAME_ANNOTATION]: name,
        [HELM_RELEASE_NAMESPACE_ANNOTATION]: namespace,
      },
    },
    spec,
  });
  server.put(
    helmReleaseSecret({
      namespace,
      release: name,
      revision: 1,
      status: 'deployed',
      manifest: scaleSetManifest(options),
      values,
    }),
  );
}

export interface ReleaseRevision {
  revision: number;
  /** info.status of the decoded record (Helm keeps the `status` label equal to it). */
  status: string;
  manifest: string;
  /** The release's user values (`config`). */
  values: Record<string, unknown>;
  /** The `status` label of the Secret. */
  statusLabel: string | undefined;
}

/** Every stored revision of a release, oldest first. */
export function releaseRevisions(server: KubeApiServer, namespace: string, release: string): ReleaseRevision[] {
  return server
    .list('v1', 'Secret', namespace)
    .filter((s) => s.metadata.labels?.owner === 'helm' && s.metadata.labels?.name === release)
    .map((secret) => {
      const record = decodeHelmRelease((secret.data as { release: string }).release) as HelmRelease;
      return {
        revision: record.version,
        status: record.info.status,
        manifest: record.manifest,
        values: record.config ?? {},
        statusLabel: secret.metadata.labels?.status,
      };
    })
    .sort((a, b) => a.revision - b.revision);
}

/** The highest revision of a release, whatever its status; undefined when none is stored. */
export function latestRelease(server: KubeApiServer, namespace: string, release: string): ReleaseRevision | undefined {
  return releaseRevisions(server, namespace, release).at(-1);
}

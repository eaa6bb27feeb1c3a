// Objects shaped the way the ARC controllers (gha-runner-scale-set-controller) write them,
// so tests can stand up scale sets and runners in the states a drain has to handle.
import type { KubeObject, StoredObject } from './objects.js';
import { ARC_GROUP } from './resources.js';

const apiVersion = `${ARC_GROUP}/v1alpha1`;
export const SCALE_SET_NAME_LABEL = 'actions.github.com/scale-set-name';
const SCALE_SET_NAMESPACE_LABEL = 'actions.github.com/scale-set-namespace';
const DEFAULT_CONFIG_URL = 'https://github.com/example-org';

export interface ScaleSetOptions {
  namespace: string;
  name: string;
  min: number;
  max: number;
  labels?: Record<string, string>;
  githubConfigUrl?: string;
}

export interface RunnerOptions {
  namespace: string;
  scaleSet: string;
  name: string;
  /** Running a job: status.jobId is set (and jobRequestId instead when `legacy`). */
  busy: boolean;
  /** An older ARC that records only the numeric jobRequestId, no jobId. */
  legacy?: boolean;
  /** Labels over the ones the controller copies from its runner set (a label may name something else than the owner). */
  labels?: Record<string, string>;
}

function scaleSetLabels(namespace: string, name: string): Record<string, string> {
  return { [SCALE_SET_NAME_LABEL]: name, [SCALE_SET_NAMESPACE_LABEL]: namespace };
}

function ownerReference(owner: StoredObject): Record<string, unknown> {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function autoscalingRunnerSet(options: ScaleSetOptions): KubeObject {
  const { namespace, name } = options;
  const githubConfigUrl = options.githubConfigUrl ?? DEFAULT_CONFIG_URL;
  return {
    apiVersion,
    kind: 'AutoscalingRunnerSet',
    metadata: {
      name,
      namespace,
      labels: {
        'app.kubernetes.io/component': 'autoscaling-runner-set',
        'app.kubernetes.io/instance': name,
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/name': name,
        'app.kubernetes.io/part-of': 'gha-rs',
        ...scaleSetLabels(namespace, name),
        ...options.labels,
      },
      annotations: { 'runner-scale-set-id': '1' },
    },
    spec: {
      githubConfigUrl,
      githubConfigSecret: `${name}-gha-rs-github-secret`,
      runnerScaleSetName: name,
      minRunners: options.min,
      maxRunners: options.max,
      template: { spec: { containers: [{ name: 'runner', image: 'ghcr.io/actions/actions-runner:latest' }] } },
    },
    status: { currentRunners: 0, pendingEphemeralRunners: 0, runningEphemeralRunners: 0 },
  };
}

/** The set the AutoscalingRunnerSet controller creates and owns. */
export function ephemeralRunnerSet(owner: StoredObject): KubeObject {
  const { name, namespace } = owner.metadata;
  const spec = owner.spec as { githubConfigUrl: string; githubConfigSecret: string; minRunners: number };
  return {
    apiVersion,
    kind: 'EphemeralRunnerSet',
    metadata: {
      name: `${name}-runner-set`,
      namespace,
      labels: scaleSetLabels(namespace!, name),
      ownerReferences: [ownerReference(owner)],
    },
    spec: {
      replicas: spec.minRunners,
      ephemeralRunnerSpec: {
        githubConfigUrl: spec.githubConfigUrl,
        githubConfigSecret: spec.githubConfigSecret,
        runnerScaleSetId: 1,
      },
    },
    status: { currentReplicas: 0, pendingEphemeralRunners: 0, runningEphemeralRunners: 0 },
  };
}

function jobStatus(runnerId: number, legacy: boolean): Record<string, unknown> {
  return {
    ...(legacy ? { jobRequestId: 1000 + runnerId } : { jobId: String(5000 + runnerId) }),
    jobRepositoryName: 'example-org/app',
    jobWorkflowRef: 'example-org/app/.github/workflows/ci.yaml@refs/heads/main',
    jobDisplayName: 'build',
    workflowRunId: 9000 + runnerId,
  };
}

export function ephemeralRunner(options: RunnerOptions, runnerId: number, owner?: StoredObject): KubeObject {
  const { namespace, scaleSet, name } = options;
  const ownerSpec = owner?.spec as { ephemeralRunnerSpec?: { githubConfigUrl?: string } } | undefined;
  return {
    apiVersion,
    kind: 'EphemeralRunner',
    metadata: {
      name,
      namespace,
      labels: {
        'app.kubernetes.io/component': 'runner',
        'app.kubernetes.io/part-of': 'gha-runner-scale-set',
        ...scaleSetLabels(namespace, scaleSet),
        ...options.labels,
      },
      ...(owner ? { ownerReferences: [ownerReference(owner)] } : {}),
    },
    spec: {
      githubConfigUrl: ownerSpec?.ephemeralRunnerSpec?.githubConfigUrl ?? DEFAULT_CONFIG_URL,
      githubConfigSecret: `${scaleSet}-gha-rs-github-secret`,
      runnerScaleSetId: 1,
    },
    status: {
      phase: 'Running',
      ready: true,
      runnerId,
      runnerName: name,
      ...(options.busy ? jobStatus(runnerId, options.legacy ?? false) : {}),
    },
  };
}

/** The counters the ARC controllers keep in the scale set's and runner set's status. */
export function runnerCounts(runners: KubeObject[]): Record<string, number> {
  const inPhase = (phase: string | undefined) =>
    runners.filter((r) => (r.status as { phase?: string } | undefined)?.phase === phase).length;
  return {
    pendingEphemeralRunners: inPhase('Pending') + inPhase(undefined),
    runningEphemeralRunners: inPhase('Running'),
    failedEphemeralRunners: inPhase('Failed'),
  };
}

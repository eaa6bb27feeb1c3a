import { FoundationError } from '../ui/errors.js';
import { apiStatus, kubeError, type KubeClient } from './client.js';

// ARC's gha-runner-scale-set CRDs.
export const ARC_GROUP = 'actions.github.com';
export const ARC_VERSION = 'v1alpha1';
export const SCALE_SET_LABEL = 'actions.github.com/scale-set-name';

export interface ScaleSet {
  name: string;
  namespace: string;
  /** The value its runners carry in the actions.github.com/scale-set-name label. */
  label: string;
  minRunners: number | null;
  maxRunners: number | null;
  currentRunners: number;
  annotations: Record<string, string>;
}

export interface Runner {
  name: string;
  scaleSet: string;
  phase: string;
  busy: boolean;
}

interface ArcObject {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: { minRunners?: number; maxRunners?: number; runnerScaleSetName?: string };
  status?: { currentRunners?: number; phase?: string; jobId?: string; jobRequestId?: number };
}

/** Fails with one line when the cluster does not serve the ARC CRDs (checked through discovery, nothing else). */
export async function requireArcCrds(client: KubeClient): Promise<void> {
  let groups;
  try {
    groups = await client.apis.getAPIVersions();
  } catch (error) {
    throw kubeError(client, error, 'list API groups');
  }
  const arc = groups.groups.find((g) => g.name === ARC_GROUP);
  if (!arc?.versions.some((v) => v.version === ARC_VERSION)) {
    throw new FoundationError(
      `the ARC CRDs (${ARC_GROUP}/${ARC_VERSION}) are not installed in context ${client.context}`,
      'install the gha-runner-scale-set-controller chart first, or check that --context/KUBE_CONTEXT names the right cluster',
    );
  }
}

export async function listScaleSets(client: KubeClient, namespace: string, selection: { names?: string[]; selector?: string }): Promise<ScaleSet[]> {
  let items: ArcObject[];
  try {
    const list = (await client.custom.listNamespacedCustomObject({ group: ARC_GROUP, version: ARC_VERSION, namespace, plural: 'autoscalingrunnersets', labelSelector: selection.selector })) as { items: ArcObject[] };
    items = list.items;
  } catch (error) {
    throw kubeError(client, error, `list AutoscalingRunnerSets in ${namespace}`);
  }
  const sets = items.map(toScaleSet);
  if (selection.selector) {
    if (sets.length === 0) throw new FoundationError(`no AutoscalingRunnerSet in namespace ${namespace} matches "${selection.selector}"`, 'check apply.drain.selector in the stack file and the scale sets\' labels');
    return sets.sort((a, b) => a.name.localeCompare(b.name));
  }
  const missing = (selection.names ?? []).filter((name) => !sets.some((s) => s.name === name));
  if (missing.length > 0) {
    throw new FoundationError(
      `AutoscalingRunnerSet${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in namespace ${namespace}`,
      `existing: ${sets.map((s) => s.name).join(', ') || 'none'}; fix apply.drain.scaleSets in the stack file`,
    );
  }
  return selection.names!.map((name) => sets.find((s) => s.name === name)!);
}

function toScaleSet(item: ArcObject): ScaleSet {
  const name = item.metadata?.name ?? '';
  return {
    name,
    namespace: item.metadata?.namespace ?? '',
    label: item.metadata?.labels?.[SCALE_SET_LABEL] ?? item.spec?.runnerScaleSetName ?? name,
    minRunners: item.spec?.minRunners ?? null,
    maxRunners: item.spec?.maxRunners ?? null,
    currentRunners: item.status?.currentRunners ?? 0,
    annotations: item.metadata?.annotations ?? {},
  };
}

/**
 * A runner is busy while it runs a job: phase Running with a job assigned. ARC 0.13+
 * records status.jobId; older releases only the numeric jobRequestId.
 */
export function isBusy(status: ArcObject['status']): boolean {
  return status?.phase === 'Running' && (Boolean(status.jobId) || (status.jobRequestId ?? 0) > 0);
}

export function runnerSelector(scaleSets: ScaleSet[]): string {
  return `${SCALE_SET_LABEL} in (${scaleSets.map((s) => s.label).join(',')})`;
}

export async function listRunners(client: KubeClient, namespace: string, scaleSets: ScaleSet[]): Promise<{ runners: Runner[]; resourceVersion: string }> {
  try {
    const list = (await client.custom.listNamespacedCustomObject({ group: ARC_GROUP, version: ARC_VERSION, namespace, plural: 'ephemeralrunners', labelSelector: runnerSelector(scaleSets) })) as {
      items: ArcObject[];
      metadata?: { resourceVersion?: string };
    };
    return { runners: list.items.map(toRunner), resourceVersion: list.metadata?.resourceVersion ?? '' };
  } catch (error) {
    throw kubeError(client, error, `list EphemeralRunners in ${namespace}`);
  }
}

export function toRunner(item: ArcObject): Runner {
  return { name: item.metadata?.name ?? '', scaleSet: item.metadata?.labels?.[SCALE_SET_LABEL] ?? '', phase: item.status?.phase ?? 'Pending', busy: isBusy(item.status) };
}

/** The EphemeralRunner of this name (the pod name and the job's RUNNER_NAME), if it is in the namespace. */
export async function findRunner(client: KubeClient, namespace: string, name: string): Promise<Runner | undefined> {
  try {
    return toRunner((await client.custom.getNamespacedCustomObject({ group: ARC_GROUP, version: ARC_VERSION, namespace, plural: 'ephemeralrunners', name })) as ArcObject);
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw kubeError(client, error, `read EphemeralRunner ${name}`);
  }
}

/** A JSON merge patch (a custom resource answers 415 to strategic merge). null removes a field. */
export async function patchScaleSet(client: KubeClient, scaleSet: ScaleSet, body: object): Promise<void> {
  try {
    await client.custom.patchNamespacedCustomObject(
      { group: ARC_GROUP, version: ARC_VERSION, namespace: scaleSet.namespace, plural: 'autoscalingrunnersets', name: scaleSet.name, body },
      client.k8s.setHeaderOptions('Content-Type', client.k8s.PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw kubeError(client, error, `patch AutoscalingRunnerSet ${scaleSet.namespace}/${scaleSet.name}`);
  }
}

import { FoundationError } from '../ui/errors.js';
import { apiStatus, kubeError, type KubeClient } from './client.js';

// ARC's gha-runner-scale-set CRDs.
export const ARC_GROUP = 'actions.github.com';
export const ARC_VERSION = 'v1alpha1';
export const SCALE_SET_LABEL = 'actions.github.com/scale-set-name';

export interface ScaleSet {
  name: string;
  uid: string;
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
  /** The AutoscalingRunnerSet it belongs to, by its owner chain (or, without owner references, its label). */
  scaleSet: string;
  phase: string;
  busy: boolean;
}

interface OwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

export interface ArcObject {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; ownerReferences?: OwnerReference[] };
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

/** Every AutoscalingRunnerSet in the namespace (matching the selector, when one is given). */
export async function scaleSetsIn(client: KubeClient, namespace: string, selector?: string): Promise<ScaleSet[]> {
  try {
    const list = (await client.custom.listNamespacedCustomObject({ group: ARC_GROUP, version: ARC_VERSION, namespace, plural: 'autoscalingrunnersets', labelSelector: selector })) as { items: ArcObject[] };
    return list.items.map(toScaleSet).sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    throw kubeError(client, error, `list AutoscalingRunnerSets in ${namespace}`);
  }
}

/** The scale sets the stack's apply.drain names or selects; every named one must exist. */
export async function listScaleSets(client: KubeClient, namespace: string, selection: { names?: string[]; selector?: string }): Promise<ScaleSet[]> {
  const sets = await scaleSetsIn(client, namespace, selection.selector);
  if (selection.selector) {
    if (sets.length === 0) throw new FoundationError(`no AutoscalingRunnerSet in namespace ${namespace} matches "${selection.selector}"`, 'check apply.drain.selector in the stack file and the scale sets\' labels');
    return sets;
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
    uid: item.metadata?.uid ?? '',
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

/**
 * Which scale set a runner belongs to, by the chain the ARC controllers write:
 * EphemeralRunner -> (controller ownerReference) EphemeralRunnerSet -> (controller
 * ownerReference) AutoscalingRunnerSet. The scale-set-name label only counts for a runner
 * without an owner reference: a label can differ from the object's name, an owner cannot.
 */
export class RunnerOwnership {
  /** EphemeralRunnerSet uid -> the name of the scale set of ours that owns it, or null for someone else's. */
  private readonly runnerSets = new Map<string, string | null>();

  constructor(
    private readonly scaleSets: ScaleSet[],
    runnerSets: ArcObject[],
  ) {
    for (const set of runnerSets) {
      const owner = controllerOf(set, 'AutoscalingRunnerSet');
      const ours = owner && scaleSets.find((s) => (owner.uid && s.uid ? s.uid === owner.uid : s.name === owner.name));
      if (set.metadata?.uid) this.runnerSets.set(set.metadata.uid, ours ? ours.name : null);
    }
  }

  /** The scale set of ours a runner belongs to; null when it belongs to another; 'unknown' for a runner set not seen yet. */
  scaleSetOf(runner: ArcObject): string | null | 'unknown' {
    const owner = controllerOf(runner, 'EphemeralRunnerSet');
    if (owner?.uid) {
      const known = this.runnerSets.get(owner.uid);
      return known === undefined ? 'unknown' : known;
    }
    const label = runner.metadata?.labels?.[SCALE_SET_LABEL];
    return this.scaleSets.find((s) => label !== undefined && s.label === label)?.name ?? null;
  }
}

function controllerOf(object: ArcObject, kind: string): OwnerReference | undefined {
  return object.metadata?.ownerReferences?.find((ref) => ref.kind === kind && ref.controller !== false);
}

async function listArc(client: KubeClient, namespace: string, plural: string): Promise<{ items: ArcObject[]; metadata?: { resourceVersion?: string } }> {
  try {
    return (await client.custom.listNamespacedCustomObject({ group: ARC_GROUP, version: ARC_VERSION, namespace, plural })) as { items: ArcObject[]; metadata?: { resourceVersion?: string } };
  } catch (error) {
    throw kubeError(client, error, `list ${plural} in ${namespace}`);
  }
}

export async function runnerOwnership(client: KubeClient, namespace: string, scaleSets: ScaleSet[]): Promise<RunnerOwnership> {
  return new RunnerOwnership(scaleSets, (await listArc(client, namespace, 'ephemeralrunnersets')).items);
}

/** The runners of these scale sets (by ownership), and the list's resourceVersion to watch from. */
export async function listRunners(client: KubeClient, namespace: string, scaleSets: ScaleSet[]): Promise<{ runners: Runner[]; resourceVersion: string; ownership: RunnerOwnership }> {
  for (let attempt = 1; ; attempt++) {
    const ownership = await runnerOwnership(client, namespace, scaleSets);
    const list = await listArc(client, namespace, 'ephemeralrunners');
    const owners = list.items.map((item) => ownership.scaleSetOf(item));
    // A runner set created between the two lists: list again; if it keeps happening, count those runners rather than miss one.
    if (owners.includes('unknown') && attempt < 3) continue;
    const runners = list.items.flatMap((item, i) => (owners[i] === null ? [] : [toRunner(item, owners[i]!)]));
    return { runners, resourceVersion: list.metadata?.resourceVersion ?? '', ownership };
  }
}

export function toRunner(item: ArcObject, scaleSet: string): Runner {
  return { name: item.metadata?.name ?? '', scaleSet, phase: item.status?.phase ?? 'Pending', busy: isBusy(item.status) };
}

/** The EphemeralRunner of this name (the pod name and the job's RUNNER_NAME), if it is in the namespace. */
export async function findRunner(client: KubeClient, namespace: string, name: string): Promise<ArcObject | undefined> {
  try {
    return (await client.custom.getNamespacedCustomObject({ group: ARC_GROUP, version: ARC_VERSION, namespace, plural: 'ephemeralrunners', name })) as ArcObject;
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw kubeError(client, error, `read EphemeralRunner ${name}`);
  }
}

/** A JSON merge patch (a custom resource answers 415 to strategic merge). null removes a field. False when the scale set is gone. */
export async function patchScaleSet(client: KubeClient, scaleSet: ScaleSet, body: object): Promise<boolean> {
  try {
    await client.custom.patchNamespacedCustomObject(
      { group: ARC_GROUP, version: ARC_VERSION, namespace: scaleSet.namespace, plural: 'autoscalingrunnersets', name: scaleSet.name, body },
      client.k8s.setHeaderOptions('Content-Type', client.k8s.PatchStrategy.MergePatch),
    );
    return true;
  } catch (error) {
    if (apiStatus(error) === 404) return false;
    throw kubeError(client, error, `patch AutoscalingRunnerSet ${scaleSet.namespace}/${scaleSet.name}`);
  }
}

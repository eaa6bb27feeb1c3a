import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import type { ScaleSet } from './arc.js';
import { kubeError, type KubeClient } from './client.js';

export interface ReleaseRef {
  name: string;
  namespace: string;
  revision: number;
}

export interface Caps {
  minRunners: number | null;
  maxRunners: number | null;
}

/** The Helm release that manages a scale set, from the annotations Helm puts on what it installs. */
export function releaseOf(scaleSet: ScaleSet): Omit<ReleaseRef, 'revision'> | undefined {
  const name = scaleSet.annotations['meta.helm.sh/release-name'];
  return name ? { name, namespace: scaleSet.annotations['meta.helm.sh/release-namespace'] ?? scaleSet.namespace } : undefined;
}

/**
 * The latest deployed revision of a release and its rendered manifest. Helm stores each
 * revision in a Secret sh.helm.release.v1.<name>.v<revision> (labels owner=helm, name,
 * status, version) whose data.release is base64 (Kubernetes) of base64 (Helm) of gzip
 * of the release JSON.
 */
export async function latestDeployed(client: KubeClient, release: Omit<ReleaseRef, 'revision'>): Promise<{ revision: number; manifest: string } | undefined> {
  let secrets;
  try {
    secrets = await client.core.listNamespacedSecret({ namespace: release.namespace, labelSelector: `owner=helm,name=${release.name},status=deployed` });
  } catch (error) {
    throw kubeError(client, error, `list the Helm release secrets of ${release.namespace}/${release.name}`);
  }
  const latest = secrets.items
    .map((s) => ({ revision: Number(s.metadata?.labels?.version ?? 0), data: s.data?.release }))
    .filter((s) => s.data)
    .sort((a, b) => b.revision - a.revision)[0];
  return latest ? { revision: latest.revision, manifest: decodeRelease(latest.data!).manifest ?? '' } : undefined;
}

/** The fields of a stored Helm release record that foundation reads. */
export interface HelmReleaseRecord {
  manifest?: string;
  version?: number;
  info?: { status?: string };
  chart?: { metadata?: { name?: string; version?: string } };
}

export function decodeRelease(secretData: string): HelmReleaseRecord {
  const helmEncoded = Buffer.from(secretData, 'base64').toString('utf8');
  const bytes = Buffer.from(helmEncoded, 'base64');
  // Helm gzips releases; very old ones were stored as plain JSON.
  const json = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(json) as HelmReleaseRecord;
}

/** The caps the manifest renders for a scale set; an absent field is null (maxRunners absent = unlimited). */
export function capsInManifest(manifest: string, scaleSetName: string): Caps | undefined {
  for (const doc of parseAllDocuments(manifest)) {
    const object = doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: { minRunners?: number; maxRunners?: number } } | null;
    if (object?.kind === 'AutoscalingRunnerSet' && object.metadata?.name === scaleSetName) {
      return { minRunners: object.spec?.minRunners ?? null, maxRunners: object.spec?.maxRunners ?? null };
    }
  }
  return undefined;
}

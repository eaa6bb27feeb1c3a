import { FoundationError } from '../ui/errors.js';

/** One managed resource instance of an OpenTofu state (format version 4). */
export interface StateInstance {
  /** The resource address, e.g. module.web.kubernetes_deployment_v1.app["a"]. */
  address: string;
  type: string;
  attributes: Record<string, unknown>;
}

interface StateFileV4 {
  version: number;
  resources?: Array<{
    module?: string;
    mode: string;
    type: string;
    name: string;
    instances?: Array<{ index_key?: string | number; attributes?: Record<string, unknown> }>;
  }>;
}

/**
 * The managed instances of a state file. Only version 4 (what OpenTofu and Terraform
 * 0.12 and later write) is read; any other version is refused rather than guessed at.
 */
export function parseState(text: string, source: string): StateInstance[] {
  let state: StateFileV4;
  try {
    state = JSON.parse(text) as StateFileV4;
  } catch {
    throw new FoundationError(`the state at ${source} is not JSON`, 'check that the key points at an OpenTofu state file');
  }
  if (typeof state !== 'object' || state === null || !('version' in state)) {
    throw new FoundationError(`the state at ${source} has no "version" field`, 'check that the key points at an OpenTofu state file');
  }
  if (state.version !== 4) {
    throw new FoundationError(
      `the state at ${source} is format version ${JSON.stringify(state.version)}; foundation drift reads version 4`,
      'run "tofu init" and "tofu apply" (or "tofu state push") with OpenTofu or Terraform 0.12+ to write the state in version 4',
    );
  }
  const instances: StateInstance[] = [];
  for (const resource of state.resources ?? []) {
    if (resource.mode !== 'managed') continue;
    const base = `${resource.module ? `${resource.module}.` : ''}${resource.type}.${resource.name}`;
    for (const instance of resource.instances ?? []) {
      const key = instance.index_key === undefined ? '' : `[${JSON.stringify(instance.index_key)}]`;
      instances.push({ address: base + key, type: resource.type, attributes: instance.attributes ?? {} });
    }
  }
  return instances;
}

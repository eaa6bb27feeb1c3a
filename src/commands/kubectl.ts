import { execa } from 'execa';
import { findKubectl } from '../cluster/binary.js';
import { requireAnyCluster } from '../cluster/clusters.js';
import { KUBECTL_AIMING, pinnedKubectlArgs, refuseAiming, splitPassthrough } from '../cluster/pinning.js';
import { loadProject } from '../config/load.js';
import { type Project } from '../config/project.js';
import { kubeContextFor, requireStack, resolveEnv } from '../config/resolve.js';
import { FoundationError } from '../ui/errors.js';
import type { GlobalOptions } from '../config/global-options.js';

const USAGE = 'run "foundation kubectl <stack> -- <kubectl args>" or "foundation kubectl --cluster <cluster> -- <kubectl args>"';

/** The real kubectl, aimed by foundation: --context (and -n for a one-namespace stack). Its exit code is kubectl's. */
export async function run(global: GlobalOptions, operands: string[], options: { cluster?: string }): Promise<number> {
  const split = splitPassthrough(operands);
  if (!split || split.tool.length === 0) throw new FoundationError("kubectl's arguments go after --", USAGE);
  if (split.own.length > 1) throw new FoundationError(`one stack at a time, not ${split.own.join(', ')}`, USAGE);
  const project = loadProject();
  const { context, namespace, label } = target(project, global, split.own[0], options.cluster);
  refuseAiming('kubectl', split.tool, KUBECTL_AIMING, label);
  const result = await execa(findKubectl(), pinnedKubectlArgs(context, namespace, split.tool), { stdio: 'inherit', reject: false });
  if (result.exitCode === undefined) throw new FoundationError(`could not run kubectl: ${result.shortMessage}`, 'check that kubectl works: run "kubectl version --client"');
  return result.exitCode;
}

function target(project: Project, global: GlobalOptions, stackName: string | undefined, clusterName: string | undefined): { context: string; namespace?: string; label: string } {
  if (stackName && clusterName) throw new FoundationError('name a stack or --cluster, not both', USAGE);
  if (clusterName) {
    const found = requireAnyCluster(project, clusterName);
    const { spec } = 'talos' in found ? found.talos : found.contract;
    return { context: spec.kubeContext, label: `cluster ${clusterName} (context ${spec.kubeContext})` };
  }
  if (!stackName) throw new FoundationError('no stack or cluster named', USAGE);
  const stack = requireStack(project, stackName);
  const context = kubeContextFor(project, stack, resolveEnv(project, global.env), global.context);
  const [only, ...more] = stack.spec.namespaces;
  return { context, ...(more.length === 0 ? { namespace: only } : {}), label: `stack ${stack.name} (context ${context})` };
}

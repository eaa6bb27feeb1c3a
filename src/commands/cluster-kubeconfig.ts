import { findTalosctl } from '../cluster/binary.js';
import { requireCluster } from '../cluster/clusters.js';
import { fetchKubeconfig } from '../cluster/kubeconfig.js';
import { loadProject } from '../config/load.js';
import { printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, name: string, options: { output?: string }): Promise<number> {
  const project = loadProject();
  const cluster = requireCluster(project, name);
  const result = await fetchKubeconfig(cluster, findTalosctl(), project.dir, options.output);
  printOut(`${cluster.name}: context ${result.context} (${result.server}) written to ${result.file}`);
  if (result.replaced.length) printOut(`  replaced contexts for the same API server: ${result.replaced.join(', ')}`);
  return 0;
}

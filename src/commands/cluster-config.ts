import path from 'node:path';
import { findTalosctl } from '../cluster/binary.js';
import { requireCluster } from '../cluster/clusters.js';
import { generateClusterConfig } from '../cluster/config.js';
import { loadProject } from '../config/load.js';
import { printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, name: string, options: { newSecrets?: boolean }): Promise<number> {
  const project = loadProject();
  const cluster = requireCluster(project, name);
  const result = await generateClusterConfig(project, cluster, findTalosctl(), options);
  if (result.bundleCreated) printOut(`${cluster.name}: new secrets bundle ${result.bundle} (0600): store it in the team's secret store now`);
  printOut(`${cluster.name}: machine configs and talosconfig in ${path.relative(project.dir, cluster.dir)}/ (0600, gitignored): ${result.files.map((f) => path.basename(f)).join(', ')}`);
  return 0;
}

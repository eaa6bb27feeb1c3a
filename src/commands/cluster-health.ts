import { findTalosctl } from '../cluster/binary.js';
import { requireCluster } from '../cluster/clusters.js';
import { clusterHealth } from '../cluster/health.js';
import { loadProject } from '../config/load.js';
import { printJson, printOut } from '../ui/output.js';
import { parseDuration } from '../util/duration.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, name: string, options: { wait: string; json?: boolean }): Promise<number> {
  parseDuration(options.wait, '--wait');
  const project = loadProject();
  const cluster = requireCluster(project, name);
  const result = await clusterHealth(cluster, findTalosctl(), project.dir, options.wait, (text) => process.stderr.write(text));
  if (options.json) printJson({ cluster: cluster.name, ...result });
  else {
    printOut(`${cluster.name}: ${result.healthy ? 'healthy' : 'NOT healthy'} (${result.passed.length} checks passed${result.failed.length ? `, ${result.failed.length} failed` : ''})`);
    for (const failed of result.failed) printOut(`  failed: ${failed.check}: ${failed.reason}`);
    if (result.error) printOut(`  talosctl: ${result.error}`);
  }
  return result.healthy ? 0 : 1;
}

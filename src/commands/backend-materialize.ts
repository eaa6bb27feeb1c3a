import path from 'node:path';
import { planBackendFiles, writeBackendFiles } from '../backends/materialize.js';
import { readS3Settings } from '../backends/s3-settings.js';
import { loadProject } from '../config/load.js';
import { resolveEnv } from '../config/resolve.js';
import { selectStacks, type Selection } from '../orchestrate/select.js';
import { printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, names: string[], options: Selection): Promise<number> {
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const { stacks } = await selectStacks(project, { ...options, names }, env);
  const { location } = readS3Settings(project, env, { credentials: false });
  // Every stack is checked before the first file is written.
  const planned = stacks.map((stack) => planBackendFiles(stack, env, location));
  for (const files of planned) {
    const changed = writeBackendFiles(files);
    const rel = path.relative(process.cwd(), files.backendFile) || files.backendFile;
    printOut(`${files.stack}: ${rel} ${changed ? 'written' : 'unchanged'} (key ${files.key})`);
  }
  return 0;
}

import { loadProject } from '../config/load.js';
import { requireStack, requireStateKey, resolveEnv } from '../config/resolve.js';
import { printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, name: string): Promise<number> {
  const project = loadProject();
  const stack = requireStack(project, name);
  printOut(requireStateKey(stack, resolveEnv(project, global.env)));
  return 0;
}

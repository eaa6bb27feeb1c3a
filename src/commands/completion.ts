import { completionScript, type Shell } from '../completion/scripts.js';
import { printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, shell: Shell): Promise<number> {
  printOut(completionScript(shell));
  return 0;
}

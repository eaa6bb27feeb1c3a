import path from 'node:path';
import { REPO_ROOT } from './cli.js';

/** Environment for runCli that makes the CLI report each heavy library it loads ("module-trace: loaded X" on stderr). */
export const TRACE_MODULES = { NODE_OPTIONS: `--import=${path.join(REPO_ROOT, 'tests/support/module-trace/register.mjs')}` };

export function loadedModules(stderr: string): string[] {
  return [...new Set([...stderr.matchAll(/^module-trace: loaded (.+)$/gm)].map((m) => m[1]!))].sort();
}

import { FoundationError } from '../ui/errors.js';
import { onPath, resolveOverride } from '../util/executable.js';

interface Tool {
  name: string;
  overrideVar: string;
  install: string;
}

const TALOSCTL: Tool = { name: 'talosctl', overrideVar: 'FOUNDATION_TALOSCTL_BIN', install: 'https://www.talos.dev/latest/talos-guides/install/talosctl/' };
const KUBECTL: Tool = { name: 'kubectl', overrideVar: 'FOUNDATION_KUBECTL_BIN', install: 'https://kubernetes.io/docs/tasks/tools/' };

/** FOUNDATION_TALOSCTL_BIN, else `talosctl` on PATH. */
export function findTalosctl(env: NodeJS.ProcessEnv = process.env): string {
  return findTool(TALOSCTL, env);
}

/** FOUNDATION_KUBECTL_BIN, else `kubectl` on PATH. */
export function findKubectl(env: NodeJS.ProcessEnv = process.env): string {
  return findTool(KUBECTL, env);
}

function findTool(tool: Tool, env: NodeJS.ProcessEnv): string {
  const override = env[tool.overrideVar];
  if (override) {
    const found = resolveOverride(override, env);
    if (!found) {
      throw new FoundationError(
        `${tool.overrideVar} names "${override}", which is not an executable file`,
        `point ${tool.overrideVar} at the ${tool.name} binary, or unset it to use ${tool.name} from PATH`,
      );
    }
    return found;
  }
  const found = onPath(tool.name, env);
  if (found) return found;
  throw new FoundationError(`${tool.name} is not on PATH`, `install ${tool.name} (${tool.install}) or set ${tool.overrideVar} to its path`);
}

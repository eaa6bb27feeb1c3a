// `foundation kubectl` and `foundation talosctl` aim the tool themselves; arguments that
// would aim it elsewhere are refused rather than silently overridden.
import { RefusedError } from '../ui/errors.js';

export interface FlagSet {
  long: string[];
  short: string[];
}

/** kubectl flags that change which cluster, or which kubeconfig, a command reaches. */
export const KUBECTL_AIMING: FlagSet = { long: ['--context', '--kubeconfig', '--cluster', '--server'], short: ['-s'] };
export const KUBECTL_NAMESPACE: FlagSet = { long: ['--namespace', '--all-namespaces'], short: ['-n', '-A'] };
/** talosctl's global connection flags (cmd/talosctl/cmd/talos/root.go addCommand). */
export const TALOSCTL_AIMING: FlagSet = { long: ['--talosconfig', '--endpoints', '--nodes', '--context', '--cluster'], short: ['-e', '-n', '-c'] };

/** The first argument (before any nested "--") that sets one of the flags, in any of its spellings. */
export function findFlag(args: string[], flags: FlagSet): string | undefined {
  for (const arg of args) {
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      if (flags.long.some((flag) => arg === flag || arg.startsWith(`${flag}=`))) return arg;
    } else if (flags.short.some((flag) => arg.startsWith(flag))) return arg;
  }
  return undefined;
}

export function refuseAiming(tool: string, args: string[], flags: FlagSet, pinned: string): void {
  const offending = findFlag(args, flags);
  if (offending) {
    throw new RefusedError(
      `"${offending}" would aim ${tool} away from ${pinned}; foundation sets the target itself`,
      `drop ${offending.split('=')[0]} from the arguments, or pick another target with foundation's own options`,
    );
  }
}

/** Pinned flags go before a nested "--" (whose words belong to a remote command), else at the end. */
export function withPinned(args: string[], pinned: string[]): string[] {
  const dash = args.indexOf('--');
  return dash === -1 ? [...args, ...pinned] : [...args.slice(0, dash), ...pinned, ...args.slice(dash)];
}

/** kubectl takes its global flags before the command: --context, then -n unless the args choose a namespace. */
export function pinnedKubectlArgs(context: string, namespace: string | undefined, args: string[]): string[] {
  const withNamespace = namespace !== undefined && findFlag(args, KUBECTL_NAMESPACE) === undefined;
  return ['--context', context, ...(withNamespace ? ['--namespace', namespace] : []), ...args];
}

/**
 * Splits a command's operands into foundation's own (before the first "--" on the command
 * line) and the tool's (after it), which commander hands over as one list.
 */
export function splitPassthrough(operands: string[], argv: string[] = process.argv): { own: string[]; tool: string[] } | undefined {
  const dash = argv.indexOf('--', 2);
  if (dash === -1) return undefined;
  const tool = argv.slice(dash + 1);
  return { own: operands.slice(0, operands.length - tool.length), tool };
}

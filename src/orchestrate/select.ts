import type { Project, Stack } from '../config/load.js';
import { requireStack } from '../config/resolve.js';
import { FoundationError } from '../ui/errors.js';
import { dependencyOrder } from './graph.js';

/** The stacks a command names, or all of them with --all; always in dependency order. */
export function selectStacks(project: Project, names: string[], { all = false }: { all?: boolean }): Stack[] {
  if (all && names.length > 0) throw new FoundationError('name stacks or pass --all, not both', 'drop --all to run only the named stacks');
  if (!all && names.length === 0) throw new FoundationError('no stack named', 'name one or more stacks, or pass --all');
  const wanted = new Set(names.map((name) => requireStack(project, name).name));
  return dependencyOrder(project).filter((stack) => all || wanted.has(stack.name));
}

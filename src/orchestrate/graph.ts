import type { Project, Stack } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';

/**
 * Stacks in dependency order (Kahn's algorithm; ties broken by name so the order is
 * stable). A cycle is an error that names it.
 */
export function dependencyOrder(project: Project): Stack[] {
  const stacks = [...project.stacks.values()];
  const remaining = new Map(stacks.map((s) => [s.name, new Set(s.spec.dependsOn)]));
  const order: Stack[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([name]) => name).sort();
    if (ready.length === 0) {
      const cycle = findCycle(project, [...remaining.keys()]);
      throw new FoundationError(
        `dependency cycle: ${cycle.join(' -> ')}`,
        `remove one of these dependsOn entries (${cycle.slice(0, -1).map((n) => project.stacks.get(n)!.file).join(', ')})`,
      );
    }
    for (const name of ready) {
      remaining.delete(name);
      order.push(project.stacks.get(name)!);
      for (const deps of remaining.values()) deps.delete(name);
    }
  }
  return order;
}

/** A concrete cycle among the stacks Kahn's algorithm could not order, first node repeated at the end. */
function findCycle(project: Project, names: string[]): string[] {
  const path: string[] = [];
  const onPath = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): string[] | undefined => {
    if (onPath.has(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return undefined;
    path.push(name);
    onPath.add(name);
    for (const dep of project.stacks.get(name)!.spec.dependsOn) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(name);
    done.add(name);
    return undefined;
  };
  for (const name of names.sort()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return names; // unreachable when Kahn's algorithm stalled, kept total for the type checker
}

export interface StackGraph {
  /** Dependency order. */
  order: string[];
  /** level 0 has no dependencies; a stack's level is one more than its deepest dependency's. */
  stacks: Array<{ name: string; level: number; dependsOn: string[]; dependents: string[] }>;
}

export function stackGraph(project: Project): StackGraph {
  const order = dependencyOrder(project);
  const level = new Map<string, number>();
  for (const stack of order) level.set(stack.name, Math.max(-1, ...stack.spec.dependsOn.map((d) => level.get(d)!)) + 1);
  return {
    order: order.map((s) => s.name),
    stacks: order.map((s) => ({
      name: s.name,
      level: level.get(s.name)!,
      dependsOn: s.spec.dependsOn,
      dependents: order.filter((o) => o.spec.dependsOn.includes(s.name)).map((o) => o.name),
    })),
  };
}

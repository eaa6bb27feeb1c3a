import type { Project, Stack } from '../config/project.js';
import { requireStack } from '../config/resolve.js';
import { FoundationError } from '../ui/errors.js';
import { changedFiles, dependentsOf, stackOwnsFile } from './changes.js';
import { matchesAny } from './glob.js';
import { dependencyOrder } from './graph.js';

export interface Selection {
  /** Stack names given on the command line. */
  names?: string[];
  all?: boolean;
  /** Name globs to keep / to drop. */
  only?: string[];
  exclude?: string[];
  /** A git ref: the stacks whose files changed since it, plus their dependents. */
  changedSince?: string;
}

export interface Selected {
  stacks: Stack[];
  /** Stacks --all or a filter left out because they are not deployed in the ENV. */
  notDeployed: string[];
}

/**
 * The stacks a command runs on, in dependency order. Names select exactly those stacks;
 * --all, --only, --exclude and --changed-since start from every stack deployed in the ENV.
 */
export async function selectStacks(project: Project, selection: Selection, env?: string): Promise<Selected> {
  const names = selection.names ?? [];
  const filtering = Boolean(selection.only?.length || selection.exclude?.length || selection.changedSince);
  if (selection.all && names.length > 0) throw new FoundationError('name stacks or pass --all, not both', 'drop --all to run only the named stacks');
  if (!selection.all && names.length === 0 && !filtering) {
    throw new FoundationError('no stack named', 'name one or more stacks, or pass --all, --only, --exclude or --changed-since');
  }
  const named = new Set(names.map((name) => requireStack(project, name).name));
  let candidates = dependencyOrder(project).filter((stack) => named.size === 0 || named.has(stack.name));
  const notDeployed: string[] = [];
  if (named.size === 0 && env) {
    candidates = candidates.filter((stack) => {
      const deployed = !stack.spec.environments || stack.spec.environments.includes(env);
      if (!deployed) notDeployed.push(stack.name);
      return deployed;
    });
  }
  for (const glob of selection.only ?? []) checkGlobMatches(project, glob, '--only');
  for (const glob of selection.exclude ?? []) checkGlobMatches(project, glob, '--exclude');
  if (selection.only?.length) candidates = candidates.filter((s) => matchesAny(s.name, selection.only!));
  if (selection.exclude?.length) candidates = candidates.filter((s) => !matchesAny(s.name, selection.exclude!));
  if (selection.changedSince) {
    const files = await changedFiles(project.dir, selection.changedSince);
    const touched = new Set([...project.stacks.values()].filter((s) => files.some((f) => stackOwnsFile(project, s, f))).map((s) => s.name));
    const affected = dependentsOf(project, touched);
    candidates = candidates.filter((s) => affected.has(s.name));
  }
  return { stacks: candidates, notDeployed };
}

/** A filter that matches no stack at all is a typo, not a wish for an empty run. */
function checkGlobMatches(project: Project, glob: string, flag: string): void {
  if (![...project.stacks.keys()].some((name) => matchesAny(name, [glob]))) {
    throw new FoundationError(`${flag} "${glob}" matches no stack`, `known stacks: ${[...project.stacks.keys()].join(', ')}`);
  }
}

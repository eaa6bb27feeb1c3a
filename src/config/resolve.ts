import { FoundationError } from '../ui/errors.js';
import { PROJECT_FILE, type Project, type Stack } from './project.js';

/** ENV from --env, else the ENV variable. Must be one foundation.yaml defines. */
export function resolveEnv(project: Project, flag: string | undefined, env = process.env): string {
  const name = flag ?? env.ENV;
  const known = Object.keys(project.config.environments);
  if (!name) {
    throw new FoundationError('no environment selected', `set ENV or pass --env (one of: ${known.join(', ')})`);
  }
  if (!known.includes(name)) {
    throw new FoundationError(`unknown environment "${name}"`, `${PROJECT_FILE} defines: ${known.join(', ')}; pass --env with one of them`);
  }
  return name;
}

/** The env's state key: the explicit per-ENV key, else the template. Never a guess. */
export function stateKeyFor(stack: Stack, env: string): string | undefined {
  const explicit = stack.spec.state.keys[env];
  if (explicit) return explicit;
  return stack.spec.state.keyTemplate?.replaceAll('{env}', env).replaceAll('{stack}', stack.name);
}

export function requireStateKey(stack: Stack, env: string): string {
  const key = stateKeyFor(stack, env);
  if (!key) {
    throw new FoundationError(
      `stack "${stack.name}" has no state key for environment "${env}"`,
      `add state.keys.${env} or state.keyTemplate to ${stack.file}`,
    );
  }
  return key;
}

/** --context, then KUBE_CONTEXT, then the stack's per-ENV context, then the environment's. */
export function kubeContextFor(project: Project, stack: Stack | undefined, env: string, flag?: string, vars = process.env): string {
  return flag ?? vars.KUBE_CONTEXT ?? stack?.spec.kubeContext[env] ?? environmentContext(project, env);
}

/** The environment's own kubeContext, else its cluster's (loadProject checked that one exists). */
export function environmentContext(project: Project, env: string): string {
  const spec = project.config.environments[env]!;
  return spec.kubeContext ?? project.config.clusters![spec.cluster!]!.kubeContext;
}

export function varFilesFor(stack: Stack, env: string): string[] {
  return stack.spec.varFiles[env] ?? [];
}

/** Looks stacks up by name; an unknown name gets a did-you-mean. */
export function requireStack(project: Project, name: string): Stack {
  const stack = project.stacks.get(name);
  if (stack) return stack;
  const known = [...project.stacks.keys()];
  const guess = closest(name, known);
  throw new FoundationError(
    `unknown stack "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
    `known stacks: ${known.join(', ') || 'none'}; run "foundation stacks" to list them`,
  );
}

export function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // Suggest only near misses, or a name that contains what was typed.
  return best && (bestDistance <= Math.max(2, Math.floor(name.length / 3)) || best.includes(name)) ? best : undefined;
}

export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

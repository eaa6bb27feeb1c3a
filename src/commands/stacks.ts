import { existsSync } from 'node:fs';
import { loadProject } from '../config/load.js';
import { kubeContextFor, resolveEnv, stateKeyFor, varFilesFor } from '../config/resolve.js';
import { dependencyOrder } from '../orchestrate/graph.js';
import { selectStacks, type Selection } from '../orchestrate/select.js';
import { FoundationError } from '../ui/errors.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, options: Selection & { json?: boolean; matrix?: boolean }): Promise<number> {
  const project = loadProject();
  // Listing works without an ENV; keys and contexts are resolved only when one is chosen.
  const env = (global.env ?? process.env.ENV) ? resolveEnv(project, global.env) : undefined;
  // --all is what listing does anyway; like elsewhere it leaves out stacks not deployed in the ENV.
  const filtered = Boolean(options.all || options.only?.length || options.exclude?.length || options.changedSince);
  const chosen = filtered ? (await selectStacks(project, options, env)).stacks : dependencyOrder(project);
  const stacks = chosen.map((stack) => ({
    name: stack.name,
    description: stack.spec.description,
    namespaces: stack.spec.namespaces,
    dependsOn: stack.spec.dependsOn,
    stateKey: env ? (stateKeyFor(stack, env) ?? null) : null,
    kubeContext: env ? kubeContextFor(project, stack, env, global.context) : null,
    varFiles: env ? varFilesFor(stack, env) : [],
    root: stack.rootRel,
    rootExists: existsSync(stack.rootDir),
  }));
  if (options.matrix) {
    if (!options.json) throw new FoundationError('--matrix goes with --json', 'run "foundation stacks --json --matrix"');
    // A GitHub Actions matrix: one job per stack ("strategy.matrix: ${{ fromJSON(...) }}").
    printJson({ include: stacks.map((s) => ({ stack: s.name, dependsOn: s.dependsOn.join(','), stateKey: s.stateKey })) });
    return 0;
  }
  if (options.json) {
    printJson({ env: env ?? null, stacks });
    return 0;
  }
  printOut(env ? `ENV ${env}` : 'no ENV selected: set ENV or pass --env to resolve state keys and kube contexts');
  printOut(
    formatTable(
      ['#', 'STACK', 'NAMESPACES', 'DEPENDS ON', 'STATE KEY', 'CONTEXT', 'ROOT'],
      stacks.map((s, i) => [
        String(i + 1),
        s.name,
        s.namespaces.join(','),
        s.dependsOn.join(',') || '-',
        s.stateKey ?? (env ? '(none for this ENV)' : '-'),
        s.kubeContext ?? '-',
        s.rootExists ? s.root : `${s.root} (missing)`,
      ]),
    ),
  );
  return 0;
}

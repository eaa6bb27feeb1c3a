import { loadProject } from '../config/load.js';
import { stackGraph } from '../orchestrate/graph.js';
import { FoundationError } from '../ui/errors.js';
import { printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(_global: GlobalOptions, options: { json?: boolean; dot?: boolean }): Promise<number> {
  if (options.json && options.dot) throw new FoundationError('--json and --dot do not go together', 'pick one: "foundation graph --json" or "foundation graph --dot"');
  const graph = stackGraph(loadProject());
  if (options.json) printJson(graph);
  else if (options.dot) {
    // Edges point from a dependency to the stacks that need it: the order things happen.
    const edges = graph.stacks.flatMap((s) => s.dependsOn.map((dep) => `  "${dep}" -> "${s.name}";`));
    printOut(['digraph foundation {', '  rankdir=LR;', ...graph.stacks.map((s) => `  "${s.name}";`), ...edges, '}'].join('\n'));
  } else {
    for (const stack of graph.stacks) {
      printOut(`${String(stack.level).padStart(2)}  ${stack.name}${stack.dependsOn.length ? `  <- ${stack.dependsOn.join(', ')}` : ''}`);
    }
  }
  return 0;
}

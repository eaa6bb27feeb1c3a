// The house rules of src/: no import circles (a module's imports, followed, never lead back
// to it; type-only imports count too, since they tie the modules' designs together) and
// no layer reaching up (kube/ does not import from orchestrate/).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const SRC = path.join(REPO_ROOT, 'src');
// import/export ... from, a bare import, import() and require() of a relative module
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]|(?:import|require)\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Each module of src/ (relative path) and the modules of src/ it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => m[1] ?? m[2] ?? m[3]!)
      .filter((spec) => spec.endsWith('.js')) // a module; text files bundled as strings (completion scripts) are not
      .map((spec) => path.relative(SRC, path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))));
    graph.set(path.relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)!.includes(node)) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

describe('the import graph of src/', () => {
  const graph = importGraph();

  it('reads every module and resolves every relative import to a module of src/', () => {
    expect(graph.size).toBeGreaterThan(50);
    const dangling = [...graph].flatMap(([from, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${from} -> ${t}`));
    expect(dangling).toEqual([]);
  });

  it('has no import circle', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('finds a circle when there is one (the check itself can fail)', () => {
    expect(circles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]))).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  /** Imports into `to` from modules that `from` accepts. */
  const reaching = (from: (source: string) => boolean, to: string) =>
    [...graph].flatMap(([source, targets]) => (from(source) ? targets.filter((t) => t.startsWith(to)).map((t) => `${source} -> ${t}`) : []));

  it('kube/ does not import from orchestrate/ (the layer below never reaches up)', () => {
    expect(reaching((source) => source.startsWith('kube/'), 'orchestrate/')).toEqual([]);
  });

  it('only the entry points (cli.ts, app.ts) import commands/: services never reach up into a command', () => {
    expect(reaching((source) => !source.startsWith('commands/') && !['cli.ts', 'app.ts'].includes(source), 'commands/')).toEqual([]);
  });
});

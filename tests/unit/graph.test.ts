import { describe, expect, it } from 'vitest';
import type { Project, Stack } from '../../src/config/project.js';
import { dependencyOrder } from '../../src/orchestrate/graph.js';
import { aggregateExitCode } from '../../src/orchestrate/report.js';

function project(deps: Record<string, string[]>): Project {
  const stacks = new Map<string, Stack>(
    Object.entries(deps).map(([name, dependsOn]) => [
      name,
      { name, dir: `/p/stacks/${name}`, file: `stacks/${name}/stack.yaml`, rootDir: `/p/stacks/${name}`, rootRel: `stacks/${name}`, spec: { description: name, namespaces: [name], dependsOn, root: '.', state: { keys: {} }, kubeContext: {}, varFiles: {}, watch: [], apply: { allowInCI: true } } },
    ]),
  );
  return { dir: '/p', config: { environments: { dev: { kubeContext: 'c' } } }, stacks };
}

describe('dependency order', () => {
  it('puts every stack after its dependencies, ties by name', () => {
    const order = dependencyOrder(project({ d: ['b', 'c'], b: ['a'], c: ['a'], a: [], e: [] })).map((s) => s.name);
    expect(order).toEqual(['a', 'e', 'b', 'c', 'd']);
  });

  it('names the cycle', () => {
    expect(() => dependencyOrder(project({ a: ['c'], b: ['a'], c: ['b'], d: [] }))).toThrow('dependency cycle: a -> c -> b -> a');
    expect(() => dependencyOrder(project({ a: ['a'] }))).toThrow('dependency cycle: a -> a');
  });
});

describe('aggregate exit code', () => {
  it('any 1 gives 1, else any 3 gives 3, else any 2 gives 2, else 0', () => {
    expect(aggregateExitCode([0, 2, 3, 1])).toBe(1);
    expect(aggregateExitCode([0, 2, 3])).toBe(3);
    expect(aggregateExitCode([0, 2, 0])).toBe(2);
    expect(aggregateExitCode([0, 0])).toBe(0);
    expect(aggregateExitCode([])).toBe(0);
  });
});

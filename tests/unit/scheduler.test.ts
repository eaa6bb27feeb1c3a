import { describe, expect, it } from 'vitest';
import type { Stack } from '../../src/config/project.js';
import type { StackResult } from '../../src/orchestrate/report.js';
import type { StackOutcome } from '../../src/orchestrate/report.js';
import { schedule, type RunView } from '../../src/orchestrate/scheduler.js';
import { FoundationError } from '../../src/ui/errors.js';

const stack = (name: string, dependsOn: string[] = []): Stack => ({
  name,
  dir: `/p/stacks/${name}`,
  file: `stacks/${name}/stack.yaml`,
  rootDir: `/p/stacks/${name}`,
  rootRel: `stacks/${name}`,
  spec: { description: name, namespaces: [name], dependsOn, root: '.', state: { keys: {} }, kubeContext: {}, varFiles: {}, watch: [], apply: { allowInCI: true } },
});

/** A view that records the order results are reported in. */
function recordingView() {
  const reported: string[] = [];
  const view: RunView = { io: () => ({ write: () => {}, phase: () => {} }), finished: (s: Stack, r: StackResult) => reported.push(`${s.name}:${r.status}`) };
  return { view, reported };
}

const changes: StackOutcome = { status: 'changes', exitCode: 2, summary: { add: 1, change: 0, destroy: 0, replace: 0, import: 0, forget: 0, outputChanges: 0 } };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('scheduler without waiting for dependencies (plans)', () => {
  // a -> b -> c, and d alone: a is the slowest and fails.
  const stacks = [stack('a'), stack('d'), stack('b', ['a']), stack('c', ['b'])];

  it('starts every stack at once, reports each after its dependencies, and marks what ran behind a failure', async () => {
    const events: string[] = [];
    const { view, reported } = recordingView();
    const report = await schedule(
      'plan',
      'dev',
      stacks,
      async (s) => {
        events.push(`start ${s.name}`);
        for (let i = 0; i < (s.name === 'a' ? 6 : 1); i++) await tick();
        events.push(`end ${s.name}`);
        if (s.name === 'a') throw new FoundationError('tofu plan failed for stack "a" (exit 1)');
        return changes;
      },
      { parallelism: 4, view, waitForDependencies: false },
    );
    expect(events.slice(0, 4).sort()).toEqual(['start a', 'start b', 'start c', 'start d']);
    expect(events.indexOf('end b')).toBeLessThan(events.indexOf('end a'));
    // b and c finished first, but are reported after a
    expect(reported).toEqual(['d:changes', 'a:failed', 'b:upstream-failed', 'c:upstream-failed']);
    expect(report.stacks.map((r) => r.stack)).toEqual(['a', 'd', 'b', 'c']);
    expect(report.exitCode).toBe(1);
    const c = report.stacks.find((r) => r.stack === 'c')!;
    expect(c).toMatchObject({ status: 'upstream-failed', exitCode: 1, upstreamFailed: 'a', summary: changes.summary });
    expect(c.reason).toBe('upstream a failed: planned anyway (changes); the plan may be stale');
  });

  it('keeps to --parallelism, starting stacks in dependency order', async () => {
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const { view } = recordingView();
    await schedule(
      'plan',
      'dev',
      stacks,
      async (s) => {
        order.push(s.name);
        most = Math.max(most, ++running);
        await tick();
        running--;
        return changes;
      },
      { parallelism: 2, view, waitForDependencies: false },
    );
    expect(most).toBe(2);
    expect(order).toEqual(['a', 'd', 'b', 'c']);
  });

  it('a refused dependency still skips its dependents (a refusal is decided before anything runs)', async () => {
    const { view, reported } = recordingView();
    const refused = new Map([['a', { status: 'refused' as const, exitCode: 3 as const, reason: 'not deployed' }]]);
    const ran: string[] = [];
    const report = await schedule('plan', 'dev', stacks, async (s) => (ran.push(s.name), changes), { parallelism: 4, view, waitForDependencies: false, decided: refused });
    expect(ran).toEqual(['d']);
    expect(reported).toEqual(['a:refused', 'b:skipped', 'c:skipped', 'd:changes']);
    expect(report.exitCode).toBe(3);
  });

  it('with waiting (applies), a dependent starts only after its dependency succeeded', async () => {
    const events: string[] = [];
    const { view } = recordingView();
    await schedule(
      'apply',
      'dev',
      stacks,
      async (s) => {
        events.push(`start ${s.name}`);
        await tick();
        events.push(`end ${s.name}`);
        return changes;
      },
      { parallelism: 4, view },
    );
    expect(events.indexOf('start b')).toBeGreaterThan(events.indexOf('end a'));
    expect(events.indexOf('start c')).toBeGreaterThan(events.indexOf('end b'));
  });
});

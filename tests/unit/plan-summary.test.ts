import { describe, expect, it } from 'vitest';
import { describeSummary, planHasChanges, summarizePlan } from '../../src/tofu/plan-summary.js';

const change = (actions: string[], extra: Record<string, unknown> = {}) => ({ change: { actions, ...extra } });

describe('plan summary from show -json', () => {
  it('counts like tofu: a replace is one add and one destroy', () => {
    const summary = summarizePlan(
      JSON.stringify({
        resource_changes: [
          change(['create']),
          change(['update']),
          change(['delete']),
          change(['delete', 'create']),
          change(['create', 'delete']),
          change(['no-op']),
          change(['read']),
          change(['no-op'], { importing: { id: 'x' } }),
          change(['forget']),
        ],
        output_changes: { a: { actions: ['create'] }, b: { actions: ['no-op'] } },
      }),
    );
    expect(summary).toEqual({ add: 3, change: 1, destroy: 3, replace: 2, import: 1, forget: 1, outputChanges: 1 });
    expect(describeSummary(summary)).toBe('3 to add, 1 to change, 3 to destroy, 2 replaced, 1 to import, 1 to forget, 1 output changed');
  });

  it('an empty plan has no changes; an output-only plan has', () => {
    const empty = summarizePlan('{"format_version":"1.2"}');
    expect(empty).toEqual({ add: 0, change: 0, destroy: 0, replace: 0, import: 0, forget: 0, outputChanges: 0 });
    expect(planHasChanges(empty)).toBe(false);
    expect(planHasChanges({ ...empty, outputChanges: 1 })).toBe(true);
    expect(describeSummary(empty)).toBe('0 to add, 0 to change, 0 to destroy');
  });
});

import { describe, expect, it } from 'vitest';
import { editDistance } from '../../src/config/resolve.js';

describe('edit distance for did-you-mean', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('arc-runer', 'arc-runners')).toBe(2);
    expect(editDistance('attic', 'attic')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

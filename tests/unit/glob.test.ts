import { describe, expect, it } from 'vitest';
import { globToRegExp, matchesAny } from '../../src/orchestrate/glob.js';

describe('globs', () => {
  it('* stays inside a path segment, ** crosses them', () => {
    expect(globToRegExp('arc-*').test('arc-runners')).toBe(true);
    expect(globToRegExp('stacks/*.yaml').test('stacks/a/b.yaml')).toBe(false);
    expect(globToRegExp('stacks/**/*.yaml').test('stacks/a/b.yaml')).toBe(true);
    expect(globToRegExp('stacks/**/*.yaml').test('stacks/b.yaml')).toBe(true);
    expect(globToRegExp('modules/**').test('modules/x/y/z.tf')).toBe(true);
  });

  it('? [abc] and literal dots', () => {
    expect(globToRegExp('a?').test('a2')).toBe(true);
    expect(globToRegExp('[ab]1').test('b1')).toBe(true);
    expect(globToRegExp('[ab]1').test('c1')).toBe(false);
    expect(globToRegExp('x.tf').test('xatf')).toBe(false);
    expect(matchesAny('gitlab-runners', ['arc-*', 'gitlab-*'])).toBe(true);
  });
});

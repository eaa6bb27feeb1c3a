import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../src/util/line-buffer.js';

describe('LineBuffer', () => {
  it('hands on complete lines only, holding a partial one until it ends', () => {
    const buffer = new LineBuffer();
    expect(buffer.lines('par')).toBe('');
    expect(buffer.lines('tial\nnext')).toBe('partial\n');
    expect(buffer.lines(' line\nthird\nfou')).toBe('next line\nthird\n');
    expect(buffer.rest()).toBe('fou');
    expect(buffer.rest()).toBe('');
    expect(buffer.lines('\n')).toBe('\n');
  });
});

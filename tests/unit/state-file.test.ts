import { describe, expect, it } from 'vitest';
import { compareStates, parseState, withSerial } from '../../src/state/state-file.js';

const state = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    version: 4,
    serial: 3,
    lineage: 'aaaa',
    resources: [
      { mode: 'managed', type: 'terraform_data', name: 'x', instances: [{ attributes: { id: '1' } }] },
      { module: 'module.m', mode: 'data', type: 'external', name: 'y', instances: [{}, {}] },
    ],
    ...overrides,
  });

describe('state documents', () => {
  it('reads lineage, serial and resource addresses with instance counts', () => {
    expect(parseState(state(), 's')).toMatchObject({ lineage: 'aaaa', serial: 3, resources: ['terraform_data.x', 'module.m.data.external.y (2)'] });
  });

  it('refuses what is not a state', () => {
    expect(() => parseState('nope', 'the object')).toThrow('the object is not a state file (not JSON)');
    expect(() => parseState('{"serial": 1}', 'the object')).toThrow('the object is not a state file (no lineage or serial)');
  });

  it('compares lineage, serial and every resource instance', () => {
    const a = parseState(state(), 'a');
    expect(compareStates(a, parseState(state(), 'b'))).toEqual({ lineage: true, serial: true, resources: true });
    const changed = JSON.parse(state());
    changed.resources[0].instances[0].attributes.id = '2';
    expect(compareStates(a, parseState(JSON.stringify({ ...changed, serial: 4, lineage: 'bbbb' }), 'b'))).toEqual({ lineage: false, serial: false, resources: false });
  });

  it('rewrites only the serial', () => {
    const rewritten = JSON.parse(withSerial(state(), 9));
    expect(rewritten).toEqual({ ...JSON.parse(state()), serial: 9 });
  });
});

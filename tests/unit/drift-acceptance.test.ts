import { describe, expect, it } from 'vitest';
import { acceptanceFor, applyAcceptances, covers, parseAcceptances, type StoredAcceptance } from '../../src/drift/acceptance.js';
import { acceptUntil, parseObjectRef } from '../../src/drift/accept.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const accepted = (paths: string[], until: string, reason = 'r'): StoredAcceptance => ({ paths, by: 'ops@host', reason, acceptedAt: '2026-11-23T10:00:00Z', until });

describe('drift acceptances', () => {
  it('a path covers itself and what lies below it, never a sibling or a longer key', () => {
    expect(covers('/spec/replicas', '/spec/replicas')).toBe(true);
    expect(covers('/spec/template', '/spec/template/spec/containers/0/image')).toBe(true);
    expect(covers('/spec/replicas', '/spec/replicasx')).toBe(false);
    expect(covers('/spec/replicas', '/spec')).toBe(false);
    expect(covers('/metadata/labels/a~1b', '/metadata/labels/a~1b')).toBe(true);
  });

  it('a live acceptance wins over an expired one covering the same field; only expired ones flag the field', () => {
    const list = [accepted(['/spec'], '2026-11-23T11:00:00Z', 'old'), accepted(['/spec/replicas'], '2026-11-23T13:00:00Z', 'new')];
    expect(acceptanceFor('/spec/replicas', list, NOW)).toMatchObject({ reason: 'new', expired: false });
    expect(acceptanceFor('/spec/paused', list, NOW)).toMatchObject({ reason: 'old', expired: true });
    expect(acceptanceFor('/metadata/labels/x', list, NOW)).toBeUndefined();
  });

  it('splits an object\'s differences: accepted fields and Secret keys out, expired ones flagged, the rest untouched', () => {
    const list = [accepted(['/spec/replicas', '/data/token'], '2026-11-23T13:00:00Z'), accepted(['/data/password'], '2026-11-23T11:00:00Z')];
    const split = applyAcceptances(
      [{ path: '/spec/replicas', expected: 2, live: 5 }, { path: '/spec/paused', expected: false, live: true }],
      { changed: ['password', 'token'], added: ['extra'], removed: [] },
      list,
      NOW,
    );
    expect(split.accepted.map((f) => f.path)).toEqual(['/spec/replicas', '/data/token']);
    expect(split.fields).toEqual([{ path: '/spec/paused', expected: false, live: true }]);
    expect(split.secretData).toEqual({ changed: ['password'], added: ['extra'], removed: [], acceptanceExpired: [{ key: 'password', acceptance: expect.objectContaining({ expired: true }) }] });
  });

  it('an annotation that does not read hides nothing and says why', () => {
    expect(parseAcceptances({ 'foundation/drift-accepted': 'not json' })).toEqual({ error: 'annotation foundation/drift-accepted is not JSON' });
    expect(parseAcceptances({ 'foundation/drift-accepted': '[{"paths":[],"by":"a","reason":"b","acceptedAt":"x","until":"2026-11-24T00:00:00Z"}]' })).toHaveProperty('error');
    expect(parseAcceptances({})).toEqual({ acceptances: [] });
  });

  it('reads object references and bounds the time', () => {
    expect(parseObjectRef('Deployment/web/api')).toEqual({ kind: 'Deployment', namespace: 'web', name: 'api' });
    expect(parseObjectRef('deployment.apps/web/api')).toEqual({ kind: 'deployment', group: 'apps', namespace: 'web', name: 'api' });
    expect(parseObjectRef('ClusterRole/admin')).toEqual({ kind: 'ClusterRole', name: 'admin' });
    expect(() => parseObjectRef('api')).toThrow(/not an object/);
    expect(acceptUntil({ for: '2d' }, NOW).toISOString()).toBe('2026-11-25T12:00:00.000Z');
    expect(acceptUntil({ for: '30d' }, NOW).toISOString()).toBe('2026-12-23T12:00:00.000Z');
    expect(() => acceptUntil({ for: '721h' }, NOW)).toThrow(/at most 30 days/);
    expect(acceptUntil({ until: '2026-11-23T14:30:00+01:00' }, NOW).toISOString()).toBe('2026-11-23T13:30:00.000Z');
    expect(() => acceptUntil({ until: '2026-11-23' }, NOW)).toThrow(/RFC 3339/);
    expect(() => acceptUntil({ for: '0s' }, NOW)).toThrow(/--for must be a duration such as 90s, 30m, 4h or 2d, not "0s"/);
  });
});

import { describe, expect, it } from 'vitest';
import type { StackDriftReport } from '../../src/drift/report.js';
import type { StackResult } from '../../src/orchestrate/report.js';
import { humanReport, judge, markdownReport, type StackStatus, type StatusReport } from '../../src/status/report.js';
import type { StateInfo } from '../../src/status/state-info.js';

const summary = (change: number) => ({ add: 0, change, destroy: 0, replace: 0, import: 0, forget: 0, outputChanges: 0 });
const plan = (status: StackResult['status'], change = 0): StackResult => ({ stack: 's', status, exitCode: status === 'refused' ? 3 : status === 'failed' ? 1 : 0, ...(status === 'failed' || status === 'refused' ? {} : { summary: summary(change) }) });
const counts = { managed: 2, inSync: 1, changed: 1, accepted: 0, missing: 0, unmanaged: 0, live: 2, coverage: 1 };
const drift = (status: StackDriftReport['status']): StackDriftReport => ({ stack: 's', status, exitCode: 0, ...(status === 'failed' ? { error: { message: 'no state' } } : { counts }) });
const state: StateInfo = { key: 'dev/s/terraform.tfstate', serial: 7, lineage: 'l', lastModified: '2026-12-01T10:00:00.000Z', lock: null };
const guards = { runLock: null, drain: null };

describe('status verdicts', () => {
  it('names the gap: in sync, changes pending, drifted, both; 2 only with --detailed-exitcode', () => {
    const cases: Array<[StackResult, StackDriftReport, string]> = [
      [plan('no-changes'), drift('in-sync'), 'in sync'],
      [plan('changes', 1), drift('in-sync'), 'changes pending'],
      [plan('no-changes'), drift('drifted'), 'drifted'],
      [plan('changes', 1), drift('drifted'), 'both'],
      // planned while an upstream plan failed: its own summary decides
      [{ ...plan('changes', 1), status: 'upstream-failed', exitCode: 1 }, drift('in-sync'), 'changes pending'],
    ];
    for (const [p, d, verdict] of cases) {
      expect(judge({ plan: p, drift: d, state, guards })).toEqual({ verdict, exitCode: 0 });
      expect(judge({ plan: p, drift: d, state, guards }, { detailedExitcode: true })).toEqual({ verdict, exitCode: verdict === 'in sync' ? 0 : 2 });
    }
  });

  it('is an error, exit 1 (3 behind a refusal), when any part could not be read', () => {
    expect(judge({ plan: plan('failed'), drift: drift('in-sync'), state, guards }, { detailedExitcode: true })).toEqual({ verdict: 'error', exitCode: 1 });
    expect(judge({ plan: plan('no-changes'), drift: drift('failed'), state, guards })).toEqual({ verdict: 'error', exitCode: 1 });
    expect(judge({ plan: plan('no-changes'), drift: drift('in-sync'), state: { ...state, error: { message: 'refused' } }, guards })).toEqual({ verdict: 'error', exitCode: 1 });
    expect(judge({ plan: plan('no-changes'), drift: drift('in-sync'), state, guards: { runLock: null, drain: { error: { message: 'no ARC' } } } })).toEqual({ verdict: 'error', exitCode: 1 });
    expect(judge({ plan: plan('refused'), drift: drift('in-sync'), state, guards })).toEqual({ verdict: 'error', exitCode: 3 });
  });
});

describe('status rendering', () => {
  const row = (stack: string, d: StackDriftReport): StackStatus => ({ stack, verdict: 'drifted', exitCode: 0, plan: plan('no-changes'), drift: d, state, guards });
  const report: StatusReport = {
    command: 'status',
    env: 'dev',
    exitCode: 0,
    stacks: [row('a-stack-with-a-rather-long-name-for-a-table', { ...drift('drifted'), counts: { ...counts, changed: 1234, missing: 567, unmanaged: 8910 } })],
  };

  it('keeps every table line within 120 columns, clipping the end of a row that would not fit', () => {
    const lines = humanReport(report, { now: Date.parse('2026-12-01T10:05:00Z') }).split('\n');
    const table = lines.slice(1, 3);
    for (const line of table) expect(line.length).toBeLessThanOrEqual(120);
    expect(table[1]).toBe(`${'a-stack-with-a-rather-long-name-for-a-table  drifted  no changes  1234 changed, 567 missing, 8910 unmanaged  100%'.padEnd(119)}…`);
  });

  it('says fields an operator accepted (drift accept) beside the drift, without making them drift', () => {
    const accepted = { ...report, stacks: [row('web', { ...drift('in-sync'), counts: { ...counts, changed: 0, accepted: 2 } }), row('api', { ...drift('drifted'), counts: { ...counts, accepted: 1 } })] };
    const text = markdownReport(accepted, Date.parse('2026-12-01T10:00:30Z'));
    expect(text).toContain('| web | drifted | no changes | in sync (2 accepted) |');
    expect(text).toContain('| api | drifted | no changes | 1 changed (1 accepted) |');
    expect(judge({ plan: plan('no-changes'), drift: { ...drift('in-sync'), counts: { ...counts, changed: 0, accepted: 2 } }, state, guards }, { detailedExitcode: true })).toEqual({ verdict: 'in sync', exitCode: 0 });
  });

  it('escapes table cells in markdown', () => {
    const piped = { ...report, stacks: [row('pipe|stack', drift('drifted'))] };
    expect(markdownReport(piped, Date.parse('2026-12-01T10:00:30Z'))).toContain('| pipe\\|stack | drifted | no changes | 1 changed | 100% | #7, 30s ago | - |');
  });
});

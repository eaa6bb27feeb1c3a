import { describe, expect, it } from 'vitest';
import { parseLockInfo } from '../../src/tofu/lock-error.js';

// tofu's output when the state lock is held (statemgr.LockInfo.String()), plain and in a diagnostic box.
const PLAIN = `
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error StatusCode: 412, PreconditionFailed
Lock Info:
  ID:        5f0d0c1e-7c3a-2b3e-91c4-0a7d6f1e2b3c
  Path:      state/dev/sleeper/terraform.tfstate
  Operation: OperationTypeApply
  Who:       ci@runner-7
  Version:   1.11.0
  Created:   2026-11-23 10:00:00.123456 +0000 UTC
  Info:      
`;

describe('parseLockInfo', () => {
  it('reads the holder from tofu\'s Lock Info block', () => {
    expect(parseLockInfo(PLAIN)).toEqual({ id: '5f0d0c1e-7c3a-2b3e-91c4-0a7d6f1e2b3c', who: 'ci@runner-7', operation: 'OperationTypeApply', created: '2026-11-23 10:00:00.123456 +0000 UTC' });
  });

  it('reads it inside a diagnostic box too', () => {
    const boxed = PLAIN.split('\n').map((line) => `│ ${line}`).join('\n');
    expect(parseLockInfo(boxed).who).toBe('ci@runner-7');
  });

  it('leaves out what tofu did not print', () => {
    expect(parseLockInfo('Error: Error acquiring the state lock\n')).toEqual({ id: undefined, who: undefined, operation: undefined, created: undefined });
  });
});

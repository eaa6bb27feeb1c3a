import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatIdentity, holderIsDeadHere, ownIdentity, parseIdentity, processStartTime } from '../../src/kube/identity.js';
import { defaultLeaseWaitMs } from '../../src/kube/lease.js';

const self = ownIdentity();
const exitedPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('the drain Lease holder identity', () => {
  it('names host, pid, start time, boot id, PID namespace and run, and reads back', () => {
    expect(self.boot).toMatch(/^[0-9a-f-]{36}$/);
    expect(self.pidns).toMatch(/^\d+$/);
    expect(self.start).toMatch(/^\d+$/);
    const text = formatIdentity(self);
    expect(text).toBe(`${self.host} pid=${process.pid} start=${self.start} boot=${self.boot} pidns=${self.pidns} run=${self.run}`);
    expect(parseIdentity(text)).toEqual(self);
  });

  it('reads identities it did not write without inventing fields', () => {
    expect(parseIdentity('runner-7/4242/a1b2c3')).toEqual({ host: 'runner-7/4242/a1b2c3', boot: undefined, pidns: undefined, pid: undefined, start: undefined, run: undefined });
    expect(parseIdentity('')).toMatchObject({ host: '', pid: undefined });
  });

  it('a holder is dead here only on this host, boot and PID namespace, with its process gone or replaced', () => {
    const dead = { ...self, pid: exitedPid() };
    expect(processStartTime(dead.pid)).toBeUndefined();
    expect(holderIsDeadHere(dead, self)).toBe(true);
    expect(holderIsDeadHere({ ...self, start: '1' }, self)).toBe(true); // our pid, another process's start time
    expect(holderIsDeadHere(self, self)).toBe(false); // alive
    expect(holderIsDeadHere({ ...dead, pidns: '1' }, self)).toBe(false); // another container with our hostname
    expect(holderIsDeadHere({ ...dead, boot: 'another-boot' }, self)).toBe(false); // a rebooted or other machine
    expect(holderIsDeadHere({ ...dead, host: 'elsewhere' }, self)).toBe(false);
    expect(holderIsDeadHere({ ...dead, start: undefined }, self)).toBe(false); // an old-style identity proves nothing
  });

  it('waits a little over the holder\'s lease duration by default', () => {
    expect(defaultLeaseWaitMs(60)).toBe(72_000);
    expect(defaultLeaseWaitMs(3)).toBe(8_000);
  });
});

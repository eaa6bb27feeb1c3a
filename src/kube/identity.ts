import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds the drain Lease, precisely enough to tell "a dead process of this machine"
 * from "a live process in another container with the same hostname": the kernel's boot
 * id, the PID namespace, the pid and the process start time (a recycled pid has another).
 */
export interface HolderIdentity {
  host: string;
  boot?: string;
  pidns?: string;
  pid?: number;
  /** /proc/<pid>/stat field 22: clock ticks since boot when the process started. */
  start?: string;
  /** Tells two runs of one process apart. */
  run?: string;
}

function readOrUndefined(read: () => string): string | undefined {
  try {
    return read().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The start time of a process, or undefined when no process has that pid (in this PID namespace). */
export function processStartTime(pid: number): string | undefined {
  const stat = readOrUndefined(() => readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (!stat) return undefined;
  // Field 2 (comm) is in parentheses and may hold spaces: count the fields after its ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[22 - 3];
}

export function ownIdentity(): HolderIdentity {
  return {
    host: hostname(),
    boot: readOrUndefined(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
    // "pid:[4026531836]": the inode names the namespace.
    pidns: readOrUndefined(() => readlinkSync('/proc/self/ns/pid').replace(/^pid:\[(\d+)\]$/, '$1')),
    pid: process.pid,
    start: processStartTime(process.pid),
    run: randomBytes(3).toString('hex'),
  };
}

/** `runner-7 pid=4242 start=81234 boot=6c1f… pidns=4026531836 run=a1b2c3`: readable in `kubectl get lease`. */
export function formatIdentity(id: HolderIdentity): string {
  const fields = { pid: id.pid, start: id.start, boot: id.boot, pidns: id.pidns, run: id.run };
  return [id.host, ...Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`)].join(' ');
}

export function parseIdentity(text: string): HolderIdentity {
  const [host = '', ...rest] = text.trim().split(/\s+/);
  const fields = new Map(rest.map((part) => part.split('=', 2) as [string, string]));
  const pid = Number(fields.get('pid'));
  return {
    host,
    boot: fields.get('boot'),
    pidns: fields.get('pidns'),
    pid: Number.isInteger(pid) && pid > 0 ? pid : undefined,
    start: fields.get('start'),
    run: fields.get('run'),
  };
}

/**
 * True only when the holder ran on this very kernel (boot id) in this PID namespace and
 * its process is gone, or its pid now belongs to a process that started at another time.
 * Anything unknown (another host, another namespace, fields missing) is not provably dead.
 */
export function holderIsDeadHere(holder: HolderIdentity, self: HolderIdentity = ownIdentity()): boolean {
  if (!holder.pid || !holder.boot || !holder.pidns || !holder.start) return false;
  if (holder.host !== self.host || holder.boot !== self.boot || holder.pidns !== self.pidns) return false;
  const start = processStartTime(holder.pid);
  return start === undefined || start !== holder.start;
}

import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTofuBinary } from '../../src/tofu/binary.js';

export interface TofuCall {
  pid: number;
  argv: string[];
  /** Nanoseconds since the epoch, as `date +%s%N` printed them (timing mode only for `end`). */
  start: bigint;
  end?: bigint;
}

export interface TofuRecorder {
  /** Use as FOUNDATION_TOFU_BIN. */
  bin: string;
  calls(): TofuCall[];
}

/**
 * A wrapper that records each call's argv, pid and start time, then runs the real
 * tofu/terraform: the real binary does the work, and tests see exactly what it was given.
 * By default it execs (same pid, signals reach tofu directly); with `timing` it waits for
 * tofu to record when it ended.
 */
export function tofuRecorder({ timing = false } = {}): TofuRecorder {
  const real = findTofuBinary().path;
  const dir = mkdtempSync(path.join(tmpdir(), 'foundation-tofu-rec-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  const bin = path.join(dir, 'tofu');
  const record = `{ printf 'start\\t%s\\t%s' "$$" "$(date +%s%N)"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> '${log}'`;
  const run = timing
    ? `'${real}' "$@"\ncode=$?\nprintf 'end\\t%s\\t%s\\n' "$$" "$(date +%s%N)" >> '${log}'\nexit $code`
    : `exec '${real}' "$@"`;
  writeFileSync(bin, `#!/bin/sh\n${record}\n${run}\n`);
  chmodSync(bin, 0o755);
  return {
    bin,
    calls: () => {
      const calls = new Map<number, TofuCall>();
      for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
        const [event, pid, ns, ...argv] = line.split('\t');
        if (event === 'start') calls.set(Number(pid), { pid: Number(pid), argv, start: BigInt(ns!) });
        else calls.get(Number(pid))!.end = BigInt(ns!);
      }
      return [...calls.values()];
    },
  };
}

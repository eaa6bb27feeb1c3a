import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTofuBinary } from '../../src/tofu/binary.js';

export interface TofuRecorder {
  /** Use as FOUNDATION_TOFU_BIN. */
  bin: string;
  /** One entry per tofu run: its argv and its pid (exec keeps the pid). */
  calls(): Array<{ pid: number; argv: string[] }>;
}

/**
 * A wrapper that records each call's argv and pid, then execs the real tofu/terraform:
 * the real binary still does the work, and tests can see exactly what it was given.
 */
export function tofuRecorder(): TofuRecorder {
  const real = findTofuBinary().path;
  const dir = mkdtempSync(path.join(tmpdir(), 'foundation-tofu-rec-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(log, '');
  const bin = path.join(dir, 'tofu');
  writeFileSync(
    bin,
    `#!/bin/sh\n{ printf '%s' "$$"; for a in "$@"; do printf '\\t%s' "$a"; done; printf '\\n'; } >> '${log}'\nexec '${real}' "$@"\n`,
  );
  chmodSync(bin, 0o755);
  return {
    bin,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [pid, ...argv] = line.split('\t');
          return { pid: Number(pid), argv };
        }),
  };
}

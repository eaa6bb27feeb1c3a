import { execa } from 'execa';
import { FoundationError } from '../ui/errors.js';
import { RedactingLineWriter } from '../ui/redact.js';
import type { TofuBinary } from './binary.js';
import { interrupted, trackChild } from './signals.js';

export interface TofuInvocation {
  tofu: TofuBinary;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Thrown when an interrupt arrived before this tofu process could start. */
export class InterruptedError extends FoundationError {
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal} before tofu started`, 'nothing was changed by this step; run the command again when ready');
  }
}

/**
 * Runs tofu and streams its output, redacted line by line, to `write`. Resolves with
 * tofu's exit code once it has exited on its own: signals are handled by signals.ts,
 * never a kill from here.
 */
export async function runTofu(run: TofuInvocation, write: (text: string) => void): Promise<number> {
  const signal = interrupted();
  if (signal) throw new InterruptedError(signal);
  const child = spawnTofu(run, false);
  const untrack = trackChild(child);
  const out = new RedactingLineWriter(write);
  const err = new RedactingLineWriter(write);
  child.stdout?.on('data', (chunk: Uint8Array) => out.push(chunk));
  child.stderr?.on('data', (chunk: Uint8Array) => err.push(chunk));
  try {
    const result = await child;
    out.end();
    err.end();
    if (result.failed && result.exitCode === undefined && !result.signal) {
      throw new FoundationError(`could not run ${run.tofu.path}: ${result.shortMessage}`, 'check that the tofu binary works: run it with -version');
    }
    return result.exitCode ?? 1;
  } finally {
    untrack();
  }
}

/** Runs tofu for its stdout (show -json, version); output is returned, not printed. */
export async function captureTofu(run: TofuInvocation): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const signal = interrupted();
  if (signal) throw new InterruptedError(signal);
  const child = spawnTofu(run, true);
  const untrack = trackChild(child);
  try {
    const result = await child;
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
  } finally {
    untrack();
  }
}

function spawnTofu(run: TofuInvocation, buffer: boolean) {
  return execa(run.tofu.path, run.args, {
    cwd: run.cwd,
    env: run.env,
    extendEnv: false,
    stdin: 'ignore',
    buffer,
    reject: false,
    // Its own process group: a signal to foundation's group (Ctrl-C, a cancelled CI job)
    // reaches tofu only through foundation, as exactly one interrupt (signals.ts).
    detached: true,
    // Never SIGKILL tofu (execa would after 5 s) and never kill it when foundation exits:
    // a killed tofu leaves its state lock behind.
    forceKillAfterDelay: false,
    cleanup: false,
    stripFinalNewline: false,
    maxBuffer: 512 * 1024 * 1024,
  });
}

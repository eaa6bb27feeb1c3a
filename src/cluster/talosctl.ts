import { execa } from 'execa';
import { FoundationError } from '../ui/errors.js';
import { RedactingLineWriter } from '../ui/redact.js';

export interface TalosctlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TalosctlRun {
  bin: string;
  args: string[];
  cwd: string;
  /** Receives stderr as it arrives, redacted line by line (health progress). */
  onStderr?: (text: string) => void;
}

/**
 * Runs talosctl to completion with output captured (it may carry the admin kubeconfig,
 * so nothing is printed from here unless `onStderr` asks for progress).
 */
export async function runTalosctl(run: TalosctlRun): Promise<TalosctlResult> {
  const child = execa(run.bin, run.args, { cwd: run.cwd, stdin: 'ignore', reject: false, stripFinalNewline: false, maxBuffer: 64 * 1024 * 1024 });
  if (run.onStderr) {
    const writer = new RedactingLineWriter(run.onStderr);
    child.stderr?.on('data', (chunk: Uint8Array) => writer.push(chunk));
    child.stderr?.on('end', () => writer.end());
  }
  const result = await child;
  if (result.exitCode === undefined) {
    throw new FoundationError(`could not run ${run.bin}: ${result.shortMessage}`, 'check that talosctl works: run "talosctl version --client"');
  }
  return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** talosctl's own error: the first non-empty stderr line (usage text follows flag errors). */
export function talosctlError(result: TalosctlResult): string {
  return result.stderr.split('\n').map((l) => l.trim()).find(Boolean) ?? `talosctl exited with code ${result.exitCode}`;
}

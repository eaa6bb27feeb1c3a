import { healthArgs, talosTarget } from './argv.js';
import { requireConfigFile, type Cluster } from './clusters.js';
import { runTalosctl, talosctlError } from './talosctl.js';

export interface HealthResult {
  healthy: boolean;
  passed: string[];
  failed: Array<{ check: string; reason: string }>;
  /** talosctl's final error when unhealthy (a timeout, an unreachable node). */
  error?: string;
}

/** `talosctl health` (server side), its progress streamed; the summary read from the "waiting for <check>: <state>" lines. */
export async function clusterHealth(cluster: Cluster, talosctl: string, cwd: string, waitTimeout: string, progress: (text: string) => void): Promise<HealthResult> {
  requireConfigFile(cluster, 'talosconfig');
  const run = await runTalosctl({ bin: talosctl, args: healthArgs(talosTarget(cluster), cluster, waitTimeout), cwd, onStderr: progress });
  const state = new Map<string, string>();
  let current: string | undefined;
  for (const line of run.stderr.split('\n')) {
    const match = /^waiting for (.+?): (.+)$/.exec(line.trim());
    if (match) {
      current = match[1]!;
      state.set(current, match[2]!);
    }
    // multi-error reasons continue on "\t* <node>: <error>" lines
    else if (current && /^\s+\* /.test(line)) state.set(current, `${state.get(current)!.replace(/^\d+ errors? occurred:$/, '')} ${line.trim().slice(2)}`.trim());
    else current = undefined;
  }
  const passed = [...state].filter(([, s]) => s === 'OK').map(([check]) => check);
  const failed = [...state].filter(([, s]) => s !== 'OK' && s !== 'SKIP').map(([check, reason]) => ({ check, reason: reason === '...' ? 'did not finish' : reason }));
  if (run.exitCode === 0) return { healthy: true, passed, failed: [] };
  const last = run.stderr.split('\n').map((l) => l.trim()).filter(Boolean).pop();
  return { healthy: false, passed, failed, error: last && !last.startsWith('waiting for') ? last : talosctlError(run) };
}

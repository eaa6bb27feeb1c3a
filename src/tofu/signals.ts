/**
 * Owns foundation's reaction to SIGINT, SIGTERM and SIGHUP while tofu children run.
 *
 * tofu runs in its own process group (process.ts spawns it detached), so a signal meant
 * for foundation's group (Ctrl-C at a terminal, a CI runner cancelling a job with
 * `kill -TERM -<pgid>`) never reaches tofu directly: foundation is its one source of
 * interrupts, whatever the terminal.
 * - The first signal foundation gets: exactly one interrupt (SIGINT) to each running
 *   tofu, which stops gracefully, saving state and releasing its lock.
 * - A second signal: a second interrupt, tofu's "exit immediately" (the operator's
 *   "really stop now", as a second Ctrl-C is for tofu itself). Never more than two.
 * - Never a SIGKILL: foundation waits for every child to exit on its own.
 * After an interrupt no new tofu process starts; callers check `interrupted()`.
 */
export interface SignalTarget {
  kill(signal: NodeJS.Signals): boolean | void;
}

const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// tofu reads a second interrupt as "exit now, without waiting for the operation".
const MAX_INTERRUPTS = 2;

// Interrupts sent to each running child.
const running = new Map<SignalTarget, { sent: number }>();
let received: NodeJS.Signals | undefined;
let count = 0;
let installed = false;
const listeners = new Set<(signal: NodeJS.Signals) => void>();

export function interrupted(): NodeJS.Signals | undefined {
  return received;
}

/** Called with the first signal received; returns an unsubscribe function. */
export function onInterrupt(listener: (signal: NodeJS.Signals) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function trackChild(child: SignalTarget): () => void {
  install();
  running.set(child, { sent: 0 });
  return () => running.delete(child);
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of HANDLED_SIGNALS) process.on(signal, () => handle(signal));
}

function handle(signal: NodeJS.Signals): void {
  const first = received === undefined;
  received ??= signal;
  count = Math.min(count + 1, MAX_INTERRUPTS);
  for (const [child, state] of running) {
    // One interrupt per signal foundation got: a child never gets more than that.
    while (state.sent < count) {
      state.sent++;
      child.kill('SIGINT');
    }
  }
  if (first) for (const listener of listeners) listener(signal);
}

/** Installs the handlers before any child starts, so a signal between two tofu runs is not fatal. */
export function installSignalHandlers(): void {
  install();
}

/**
 * Owns foundation's reaction to SIGINT and SIGTERM while tofu children run.
 *
 * - Ctrl-C in a terminal reaches every process of the foreground group, tofu included:
 *   sending it a second SIGINT would make tofu exit at once without saving state, so
 *   foundation only records the interrupt. Without a terminal nobody else delivers it,
 *   so foundation forwards one.
 * - SIGTERM (CI cancelling a job) is forwarded to each running child: one signal per
 *   child in all, since tofu reads a second interrupt as "exit now".
 * - Never a SIGKILL: foundation waits for every child to exit on its own.
 * After an interrupt no new tofu process starts; callers check `interrupted()`.
 */
export interface SignalTarget {
  kill(signal: NodeJS.Signals): boolean | void;
}

// Children that have been sent a signal: tofu reads a second interrupt as "exit now".
const running = new Map<SignalTarget, { signalled: boolean }>();
let received: NodeJS.Signals | undefined;
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
  running.set(child, { signalled: false });
  return () => running.delete(child);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => handle('SIGINT', !process.stdin.isTTY));
  process.on('SIGTERM', () => handle('SIGTERM', true));
}

function handle(signal: NodeJS.Signals, forward: boolean): void {
  const first = received === undefined;
  received ??= signal;
  for (const [child, state] of running) {
    if (state.signalled) continue;
    state.signalled = true;
    // A terminal's Ctrl-C has reached the child already: only remember that it has one.
    if (forward) child.kill(signal);
  }
  if (first) for (const listener of listeners) listener(signal);
}

/** Installs the handlers before any child starts, so a signal between two tofu runs is not fatal. */
export function installSignalHandlers(): void {
  install();
}

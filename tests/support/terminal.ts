import { execa, type ResultPromise } from 'execa';
import { waitFor } from './wait.js';

/**
 * An interactive shell on a real pseudo-terminal, made by util-linux `script`: keys go in
 * as bytes (Tab included), and what the shell draws comes back, so line editing and
 * completion run exactly as at a keyboard (readline for bash, zle for zsh).
 */
export interface Terminal {
  type(keys: string): void;
  /** Waits until the screen text (escape sequences and carriage returns removed) passes `check`. */
  waitFor(check: (screen: string) => boolean, what: string): Promise<string>;
  screen(): string;
  close(): Promise<void>;
}

export function openTerminal(command: string, { cwd, env }: { cwd: string; env: Record<string, string | undefined> }): Terminal {
  let raw = '';
  // -q quiet, -f flush each write, -e the shell's exit code; the typescript file is /dev/null.
  const child: ResultPromise = execa('script', ['-qfec', command, '/dev/null'], { cwd, env: { ...env, SHELL: '/bin/sh', TERM: 'dumb' }, extendEnv: false, reject: false, stdin: 'pipe' });
  child.stdout!.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
  const screen = () =>
    raw
      // CSI and other escape sequences (bracketed paste, cursor moves), then control characters but newlines
      .replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[^[]/g, '')
      .replace(/[\x00-\x09\x0b-\x1f]/g, '');
  return {
    type: (keys) => child.stdin!.write(keys),
    screen,
    async waitFor(check, what) {
      try {
        await waitFor(() => check(screen()), what);
      } catch {
        throw new Error(`timed out waiting for ${what}; the terminal shows:\n${screen()}`);
      }
      return screen();
    },
    async close() {
      child.stdin!.end();
      child.kill();
      await child;
    },
  };
}

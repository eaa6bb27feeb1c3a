import { Chalk } from 'chalk';
import { EXIT, FoundationError, type ExitCode } from './errors.js';
import { isCI, printErr } from './output.js';

/** Prints `error:` and `hint:` lines (redacted) and returns the exit code; a stack trace only with --debug. */
export function reportError(error: unknown, { debug, color }: { debug: boolean; color: boolean }): ExitCode {
  // Colour only for a person at a terminal: never in CI logs, never with --no-color.
  const paint = new Chalk({ level: color && process.stderr.isTTY && !isCI() ? 1 : 0 });
  if (error instanceof FoundationError) {
    printErr(`${paint.red.bold('error:')} ${error.message}`);
    if (error.hint) printErr(`${paint.dim('hint:')} ${error.hint}`);
    if (debug && error.stack) printErr(error.stack);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printErr(`${paint.red.bold('error:')} ${message.split('\n')[0]}`);
  if (debug && error instanceof Error && error.stack) printErr(error.stack);
  else printErr(`${paint.dim('hint:')} this looks like a bug in foundation; run again with --debug and report the output`);
  return EXIT.error;
}

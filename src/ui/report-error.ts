import { EXIT, FoundationError, type ExitCode } from './errors.js';
import { printErr } from './output.js';

/** Prints `error:` and `hint:` lines (redacted) and returns the exit code; a stack trace only with --debug. */
export function reportError(error: unknown, debug: boolean): ExitCode {
  if (error instanceof FoundationError) {
    printErr(`error: ${error.message}`);
    if (error.hint) printErr(`hint: ${error.hint}`);
    if (debug && error.stack) printErr(error.stack);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printErr(`error: ${message.split('\n')[0]}`);
  if (debug && error instanceof Error && error.stack) printErr(error.stack);
  else printErr('hint: this looks like a bug in foundation; run again with --debug and report the output');
  return EXIT.error;
}

/** Exit codes shared by every command (see the README's "Exit codes" table). */
export const EXIT = {
  ok: 0,
  error: 1,
  changes: 2,
  refused: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one error type the CLI raises on purpose. The top level prints
 * `error: <message>` and `hint: <hint>` and exits with `exitCode`; no stack trace.
 */
export class FoundationError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
    this.name = 'FoundationError';
  }
}

/** A guard said no (exit 3). */
export class RefusedError extends FoundationError {
  constructor(message: string, hint?: string) {
    super(message, hint, EXIT.refused);
    this.name = 'RefusedError';
  }
}

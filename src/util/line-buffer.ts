/**
 * Cuts a stream of text, chunked anyhow, at line ends: each chunk's complete lines are handed
 * on at once, and the part after its last newline is held until more text completes it.
 */
export class LineBuffer {
  private tail = '';

  /** The held text and `text` up to and including the last newline; '' when no line ends yet. */
  lines(text: string): string {
    const all = this.tail + text;
    const end = all.lastIndexOf('\n') + 1;
    this.tail = all.slice(end);
    return all.slice(0, end);
  }

  /** The text held (a last line without a newline); the buffer is empty after. */
  rest(): string {
    const rest = this.tail;
    this.tail = '';
    return rest;
  }
}

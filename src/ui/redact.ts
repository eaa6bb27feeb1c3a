import { LineBuffer } from '../util/line-buffer.js';

/**
 * Every line foundation prints passes through here. Secret values in play (S3 keys,
 * tokens) are registered once and replaced wherever they appear.
 */
const MASK = '***';
// Shorter values would mask ordinary words; real keys and tokens are far longer.
const MIN_SECRET_LENGTH = 4;
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redact(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(MASK);
  }
  return result;
}

/**
 * Redacts a byte stream line by line, so a secret split across two chunks is still
 * caught. The tail without a newline is held until the next chunk or `end()`.
 */
export class RedactingLineWriter {
  private readonly buffer = new LineBuffer();
  private readonly decoder = new TextDecoder();

  constructor(private readonly write: (text: string) => void) {}

  push(chunk: Uint8Array | string): void {
    const lines = this.buffer.lines(typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    if (lines) this.write(redact(lines));
  }

  end(): void {
    const rest = this.buffer.rest() + this.decoder.decode();
    if (rest) this.write(redact(rest));
  }
}

import { describe, expect, it } from 'vitest';
import { RedactingLineWriter, redact, registerSecret } from '../../src/ui/redact.js';

describe('redaction', () => {
  registerSecret('s3cr3t-value-123');
  registerSecret('abc'); // too short to mask safely: ignored

  it('masks every occurrence of a registered secret', () => {
    expect(redact('key=s3cr3t-value-123 and again s3cr3t-value-123')).toBe('key=*** and again ***');
    expect(redact('abc stays')).toBe('abc stays');
  });

  it('masks a secret split across two chunks of a stream', () => {
    let written = '';
    const writer = new RedactingLineWriter((text) => (written += text));
    writer.push('first line\nsecret is s3cr3t-');
    expect(written).toBe('first line\n');
    writer.push(Buffer.from('value-123 here\nlast'));
    writer.end();
    expect(written).toBe('first line\nsecret is *** here\nlast');
  });

  it('keeps multi-byte characters split between chunks intact', () => {
    let written = '';
    const writer = new RedactingLineWriter((text) => (written += text));
    const bytes = Buffer.from('╷ box\n');
    writer.push(bytes.subarray(0, 1));
    writer.push(bytes.subarray(1));
    writer.end();
    expect(written).toBe('╷ box\n');
  });
});

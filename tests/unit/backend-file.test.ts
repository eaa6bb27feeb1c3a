import { describe, expect, it } from 'vitest';
import { backendConfig, renderBackendFile } from '../../src/backends/s3-backend-file.js';

describe('backend file rendering', () => {
  it('escapes quotes and template sigils so a value cannot inject HCL', () => {
    const config = backendConfig({ endpoint: 'http://h:1', bucket: 'b"x', region: 'r' }, 'k/${var.x}/%{if}');
    const text = renderBackendFile(config, { stack: 's', env: 'e' });
    expect(text).toContain('bucket                      = "b\\"x"');
    expect(text).toContain('key                         = "k/$${var.x}/%%{if}"');
  });

  it('is deterministic', () => {
    const render = () => renderBackendFile(backendConfig({ endpoint: 'http://h:1', bucket: 'b', region: 'r' }, 'k'), { stack: 's', env: 'e' });
    expect(render()).toBe(render());
  });
});

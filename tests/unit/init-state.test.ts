import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backendConfig } from '../../src/backends/s3-backend-file.js';
import { initNeeded } from '../../src/tofu/init-state.js';

const location = { endpoint: 'http://127.0.0.1:9000', bucket: 'state', region: 'us-east-1' };
const expected = backendConfig(location, 'a/terraform.tfstate');

/** A root as `tofu init` leaves it: .terraform/terraform.tfstate records the backend, with null for unset endpoints. */
function initializedRoot(config: Record<string, unknown>, type = 's3'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'foundation-init-'));
  mkdirSync(path.join(root, '.terraform'));
  const endpoints = { dynamodb: null, iam: null, sso: null, sts: null, ...(config.endpoints as object) };
  writeFileSync(path.join(root, '.terraform/terraform.tfstate'), JSON.stringify({ version: 3, backend: { type, config: { access_key: null, profile: null, ...config, endpoints }, hash: 1 } }));
  return root;
}

describe('whether init must run', () => {
  it('never initialized', () => {
    expect(initNeeded(mkdtempSync(path.join(tmpdir(), 'x-')), expected, { callsModules: false })).toBe('not initialized');
  });

  it('initialized the same way: no init', () => {
    expect(initNeeded(initializedRoot(expected), expected, { callsModules: false })).toBeUndefined();
  });

  it('another key, endpoint or backend type: init', () => {
    expect(initNeeded(initializedRoot({ ...expected, key: 'b/terraform.tfstate' }), expected, { callsModules: false })).toBe('backend setting "key" changed');
    expect(initNeeded(initializedRoot({ ...expected, endpoints: { s3: 'http://other:9000' } }), expected, { callsModules: false })).toBe('backend setting "endpoints" changed');
    expect(initNeeded(initializedRoot({ ...expected, use_lockfile: null }), expected, { callsModules: false })).toBe('backend setting "use_lockfile" changed');
    expect(initNeeded(initializedRoot({}, 'http'), expected, { callsModules: false })).toBe('initialized with backend "http"');
  });

  it('modules or providers missing: init', () => {
    const root = initializedRoot(expected);
    expect(initNeeded(root, expected, { callsModules: true })).toBe('modules not installed');
    writeFileSync(path.join(root, '.terraform.lock.hcl'), 'provider "registry.opentofu.org/hashicorp/helm" {\n}\n');
    expect(initNeeded(root, expected, { callsModules: false })).toBe('providers not installed');
    mkdirSync(path.join(root, '.terraform/providers'));
    expect(initNeeded(root, expected, { callsModules: false })).toBeUndefined();
  });
});

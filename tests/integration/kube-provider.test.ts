// The hashicorp/kubernetes stand-in (tests/support/kube-provider/) against the real client
// that uses it: tofu (or terraform) installs it from the mirror, validates, plans with it,
// and gets the real provider's answers where the stand-in claims them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { findTofuBinary } from '../../src/tofu/binary.js';
import { baseEnv } from '../support/cli.js';
import { installKubeProvider } from '../support/kube-provider.js';
import { stackState } from '../support/status-seed.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kube-provider-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tofu = findTofuBinary();
const env = baseEnv({ ...installKubeProvider(dir), CHECKPOINT_DISABLE: '1' });
const run = (...args: string[]) => execa(tofu.path, [...args, '-no-color'], { cwd: path.join(dir, 'attic'), env, extendEnv: false, reject: false });

function root(settings: string): void {
  writeFileSync(
    path.join(dir, 'attic', 'main.tf'),
    `terraform {\n  required_providers {\n    kubernetes = { source = "hashicorp/kubernetes" }\n  }\n}\n\nresource "terraform_data" "release" {\n  input = "1"\n}\n\nresource "kubernetes_config_map_v1" "settings" {\n${settings}\n}\n`,
  );
}

const SETTINGS = `  metadata {\n    name      = "settings"\n    namespace = "attic"\n    labels    = { "app.kubernetes.io/part-of" = "attic" }\n  }\n  data = { STACK = "attic", RELEASE = "1" }`;

describe('the hashicorp/kubernetes provider stand-in', () => {
  it('installs from the mirror, plans a recorded state as the real provider would, validates names, and refuses to apply', async () => {
    mkdirSync(path.join(dir, 'attic'));
    root(SETTINGS);
    // a state as the real provider writes it: unset optional attributes at their zero value ("", false, {})
    writeFileSync(path.join(dir, 'attic', 'terraform.tfstate'), JSON.stringify(stackState('attic')));
    const init = await run('init', '-input=false');
    expect(init.exitCode, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/Installed hashicorp\/kubernetes v2\.38\.0 \(unauthenticated\)|Installing hashicorp\/kubernetes v2\.38\.0/);

    // the zero values state recorded are not a change (the SDKv2 provider's diff), nor is anything else
    const same = await run('plan', '-input=false', '-detailed-exitcode');
    expect(same.exitCode, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain('No changes.');

    // a changed value is one update in place, with the real provider's attribute names
    root(SETTINGS.replace('RELEASE = "1"', 'RELEASE = "2"'));
    const changed = await run('plan', '-input=false', '-detailed-exitcode');
    expect(changed.exitCode).toBe(2);
    expect(changed.stdout).toContain('# kubernetes_config_map_v1.settings will be updated in-place');
    expect(changed.stdout).toMatch(/~ "RELEASE" = "1" -> "2"/);
    expect(changed.stdout).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');

    // what the real provider refuses before any API call
    root(SETTINGS.replace('name      = "settings"', 'name      = "Settings_1"').replace('STACK = "attic"', '"bad key!" = "x"'));
    const invalid = await run('validate');
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain("metadata.0.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'");
    expect(invalid.stderr).toContain(`data: "bad key!": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`);

    // applying is not served: tests put kubernetes_* states into S3 directly
    root(SETTINGS.replace('RELEASE = "1"', 'RELEASE = "2"'));
    const apply = await run('apply', '-input=false', '-auto-approve');
    expect(apply.exitCode).toBe(1);
    expect(apply.stderr).toContain('the hashicorp/kubernetes stand-in does not apply');
  });
});

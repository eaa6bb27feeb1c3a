// Installs the hashicorp/kubernetes stand-in (tests/support/kube-provider/) where tofu and
// terraform find it: a filesystem mirror holding a launcher for it, named as the real
// provider's executable, and a CLI configuration (TF_CLI_CONFIG_FILE) that takes
// hashicorp/kubernetes from that mirror only. `tofu init` installs it as any provider.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';
import { findTofuBinary } from '../../src/tofu/binary.js';

export const KUBE_PROVIDER_VERSION = '2.38.0';
/** The stand-in itself (a bundle of this module, as the benchmark makes, passes its own path). */
export const KUBE_PROVIDER_SCRIPT = path.join(REPO_ROOT, 'tests', 'support', 'kube-provider', 'terraform-provider-kubernetes.mjs');
const HOSTS = ['registry.terraform.io', 'registry.opentofu.org'];

/** The registry host the tofu binary foundation picks writes into state for hashicorp/* providers. */
export function providerRegistry(env: NodeJS.ProcessEnv = process.env): string {
  return findTofuBinary(env).name.startsWith('tofu') ? 'registry.opentofu.org' : 'registry.terraform.io';
}

/** Writes the mirror and the CLI configuration under `dir`; returns the environment that points tofu at them. */
export function installKubeProvider(dir: string, script = KUBE_PROVIDER_SCRIPT): Record<string, string> {
  const mirror = path.join(dir, 'provider-mirror');
  for (const host of HOSTS) {
    const folder = path.join(mirror, host, 'hashicorp', 'kubernetes', KUBE_PROVIDER_VERSION, 'linux_amd64');
    mkdirSync(folder, { recursive: true });
    const launcher = path.join(folder, `terraform-provider-kubernetes_v${KUBE_PROVIDER_VERSION}`);
    writeFileSync(launcher, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
    chmodSync(launcher, 0o755);
  }
  const sources = JSON.stringify(HOSTS.map((host) => `${host}/hashicorp/kubernetes`));
  const config = path.join(dir, 'tofu-cli.tfrc');
  writeFileSync(config, `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ${sources}\n  }\n  direct {\n    exclude = ${sources}\n  }\n}\n`);
  return { TF_CLI_CONFIG_FILE: config };
}

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';
import { tempPathFor } from '../util/atomic-write.js';
import { genConfigArgs, genSecretsArgs } from './argv.js';
import { CONFIG_FILES, type Cluster } from './clusters.js';
import { registerBundleSecrets, secretsBundlePath } from './secrets.js';
import { runTalosctl, talosctlError } from './talosctl.js';

export interface ConfigResult {
  cluster: string;
  bundle: string;
  bundleCreated: boolean;
  files: string[];
}

/**
 * `talosctl gen config --with-secrets` into .foundation/clusters/<name>/: generated in a
 * private temp folder beside it, made 0600, then renamed into place file by file. The
 * bundle is generated only when asked (--new-secrets) and none exists.
 */
export async function generateClusterConfig(project: Project, cluster: Cluster, talosctl: string, options: { newSecrets?: boolean }): Promise<ConfigResult> {
  const bundle = secretsBundlePath(project, cluster);
  const bundleExists = existsSync(bundle);
  if (bundleExists && options.newSecrets) {
    throw new FoundationError(
      `a secrets bundle already exists at ${bundle}; --new-secrets would give cluster ${cluster.name} a new identity`,
      'drop --new-secrets to generate configs from the existing bundle',
    );
  }
  if (!bundleExists && !options.newSecrets) {
    throw new FoundationError(
      `no secrets bundle at ${bundle} (${cluster.spec.secretsBundleEnv})`,
      `restore the bundle from the team's secret store, or pass --new-secrets to create one for a brand-new cluster`,
    );
  }
  for (const file of [...cluster.spec.patches.common, ...cluster.spec.patches.controlPlane, ...cluster.spec.patches.worker]) {
    if (!existsSync(path.resolve(project.dir, file))) {
      throw new FoundationError(`patch file ${file} of cluster ${cluster.name} does not exist`, `create it or remove it from clusters.${cluster.name}.patches in foundation.yaml`);
    }
  }

  if (!bundleExists) await generateBundle(project, cluster, talosctl, bundle);
  registerBundleSecrets(bundle);

  mkdirSync(cluster.dir, { recursive: true, mode: 0o700 });
  chmodSync(cluster.dir, 0o700);
  const staging = mkdtempSync(path.join(cluster.dir, '.gen-'));
  try {
    const result = await runTalosctl({ bin: talosctl, args: genConfigArgs(cluster, project.dir, bundle, staging), cwd: project.dir });
    if (result.exitCode !== 0) {
      throw new FoundationError(`talosctl gen config failed for cluster ${cluster.name}: ${talosctlError(result)}`, 'check the versions and patch files in foundation.yaml');
    }
    const produced = readdirSync(staging);
    const expected = Object.values(CONFIG_FILES);
    const missing = expected.filter((name) => !produced.includes(name));
    if (missing.length) throw new FoundationError(`talosctl gen config did not write ${missing.join(', ')}`, 'check the talosctl version');
    for (const name of expected) chmodSync(path.join(staging, name), 0o600);
    for (const name of expected) renameSync(path.join(staging, name), path.join(cluster.dir, name));
    return { cluster: cluster.name, bundle, bundleCreated: !bundleExists, files: expected.map((name) => path.join(cluster.dir, name)) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `talosctl gen secrets` writes 0600 itself; a temp name and a rename keep it all-or-nothing. */
async function generateBundle(project: Project, cluster: Cluster, talosctl: string, bundle: string): Promise<void> {
  mkdirSync(path.dirname(bundle), { recursive: true, mode: 0o700 });
  const temp = tempPathFor(bundle);
  try {
    const result = await runTalosctl({ bin: talosctl, args: genSecretsArgs(cluster, temp), cwd: project.dir });
    if (result.exitCode !== 0) {
      throw new FoundationError(`talosctl gen secrets failed for cluster ${cluster.name}: ${talosctlError(result)}`, 'check that the bundle folder is writable');
    }
    chmodSync(temp, 0o600);
    renameSync(temp, bundle);
  } finally {
    rmSync(temp, { force: true });
  }
}

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, runCli } from '../support/cli.js';
import { filesContaining } from '../support/project.js';
import { CONTROL_PLANE, WORKERS, LAB_TIMEOUT, cleanUpTalosLabs, makeWorkloadReady, talosLab, type TalosLab } from '../support/talos-lab.js';

cleanUpTalosLabs();

const CANARY = 'talos-cluster-secret-canary-6b1e0d5a';
const ALL_NODES = [CONTROL_PLANE, ...WORKERS];

async function foundation(lab: TalosLab, args: string[], env: Record<string, string> = {}) {
  return runCli(args, { cwd: lab.dir, env: { ...lab.env, ...env } });
}

/** Splits an argv the way cobra does for the flags below: --name value / --name=value. */
function flagsOf(argv: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('--')) continue;
    const [name, inline] = word.slice(2).split(/=(.*)/s);
    const value = inline ?? (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true');
    flags.set(name!, [...(flags.get(name!) ?? []), value]);
  }
  return flags;
}

describe('the lab cluster, config to status', { timeout: LAB_TIMEOUT }, () => {
  // eleven CLI runs in a row: more room than one command's default timeout on a busy machine
  it('config, apply --insecure to three nodes, bootstrap, health, kubeconfig and status, with the talosctl flags the real one takes', { timeout: 300_000 }, async () => {
    const lab = await talosLab();
    makeWorkloadReady(lab.server);
    const configDir = path.join(lab.dir, '.foundation', 'clusters', 'lab');
    const talosconfig = path.join(configDir, 'talosconfig');
    const canary = { FAKE_TALOSCTL_SECRET_CANARY: CANARY };
    const outputs: string[] = [];

    // config: a new bundle only with --new-secrets
    const noBundle = await foundation(lab, ['cluster', 'config', 'lab'], canary);
    expect(noBundle.exitCode).toBe(1);
    expect(noBundle.stderr).toMatch(/^error: no secrets bundle at .*lab-secrets\.yaml \(FOUNDATION_LAB_TALOS_SECRETS\)\nhint: .*--new-secrets/);
    const config = await foundation(lab, ['cluster', 'config', 'lab', '--new-secrets'], canary);
    expect(config.exitCode, config.stderr).toBe(0);
    outputs.push(config.stdout, config.stderr);
    expect(config.stdout).toContain('lab: machine configs and talosconfig in .foundation/clusters/lab/');
    let calls = lab.calls();
    expect(calls[0]).toEqual(['gen', 'secrets', '--output-file', expect.stringMatching(/secrets\/\.lab-secrets\.yaml\.[0-9a-f]+\.tmp$/), '--talos-version', 'v1.11.5']);
    const gen = calls[1]!;
    expect(gen.slice(0, 4)).toEqual(['gen', 'config', 'lab', 'https://192.0.2.10:6443']);
    const genFlags = flagsOf(gen);
    expect(genFlags.get('with-secrets')).toEqual([lab.bundle]);
    expect(genFlags.get('talos-version')).toEqual(['v1.11.5']);
    expect(genFlags.get('kubernetes-version')).toEqual(['v1.34.1']);
    expect(genFlags.get('config-patch')).toEqual([`@${path.join(lab.dir, 'clusters/lab/common.yaml')}`]);
    expect(genFlags.get('config-patch-control-plane')).toEqual([`@${path.join(lab.dir, 'clusters/lab/controlplane.yaml')}`]);
    expect(genFlags.get('config-patch-worker')).toEqual([`@${path.join(lab.dir, 'clusters/lab/worker.yaml')}`]);
    expect(genFlags.get('with-docs')).toEqual(['false']);
    expect(genFlags.get('output')![0]).toMatch(new RegExp(`^${configDir}/\\.gen-`));
    // patches reached the configs
    expect(parse(readFileSync(path.join(configDir, 'worker.yaml'), 'utf8')).machine.kubelet.extraArgs['max-pods']).toBe('150');

    // secrets: 0600 files under the gitignored folder (the bundle outside the repo), printed nowhere
    for (const file of ['controlplane.yaml', 'worker.yaml', 'talosconfig']) expect(statSync(path.join(configDir, file)).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    expect(statSync(lab.bundle).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8').split('\n')).toContain('.foundation/');
    expect(filesContaining(lab.dir, CANARY).sort()).toEqual(['.foundation/clusters/lab/controlplane.yaml', '.foundation/clusters/lab/worker.yaml']);
    expect(filesContaining(lab.home, CANARY)).toEqual(['secrets/lab-secrets.yaml']);

    // a dry run shows the change Talos reports; the diff's secrets are masked
    const dryRun = await foundation(lab, ['cluster', 'apply', 'lab', '--insecure', '--dry-run', '--node', 'lab-w-1']);
    expect(dryRun.exitCode, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toContain('192.0.2.21 (lab-w-1) [worker]: dry run\n  Dry run summary:\n  Applied configuration without a reboot (skipped in dry-run).');
    expect(dryRun.stdout).toContain('+    servers:');
    expect(dryRun.stdout).not.toContain(CANARY);
    expect(dryRun.stdout).toContain('secret: ***');
    expect(lab.machine(WORKERS[0]!)!.state).toBe('maintenance');
    outputs.push(dryRun.stdout, dryRun.stderr);

    // apply --insecure: each node gets the file for its role
    const before = lab.calls().length;
    const apply = await foundation(lab, ['cluster', 'apply', 'lab', '--insecure']);
    expect(apply.exitCode, apply.stderr).toBe(0);
    outputs.push(apply.stdout, apply.stderr);
    calls = lab.calls().slice(before);
    expect(calls).toEqual([
      ['apply-config', '--insecure', '--nodes', CONTROL_PLANE, '--file', path.join(configDir, 'controlplane.yaml')],
      ['apply-config', '--insecure', '--nodes', WORKERS[0], '--file', path.join(configDir, 'worker.yaml')],
      ['apply-config', '--insecure', '--nodes', WORKERS[1], '--file', path.join(configDir, 'worker.yaml')],
    ]);
    expect(apply.stdout).toContain('192.0.2.11 (lab-cp-1) [controlplane]: applied\n  Applied configuration without a reboot');
    for (const node of ALL_NODES) expect(lab.machine(node)!.state).toBe('configured');

    // bootstrap: etcd members first (none yet), then bootstrap on the first control-plane node
    const connection = (node: string) => ['--talosconfig', talosconfig, '--endpoints', CONTROL_PLANE, '--nodes', node];
    let mark = lab.calls().length;
    const bootstrap = await foundation(lab, ['cluster', 'bootstrap', 'lab']);
    expect(bootstrap.exitCode, bootstrap.stderr).toBe(0);
    expect(bootstrap.stdout).toContain('lab: etcd bootstrapped on 192.0.2.11');
    expect(lab.calls().slice(mark)).toEqual([
      ['etcd', 'members', ...connection(CONTROL_PLANE)],
      ['bootstrap', ...connection(CONTROL_PLANE)],
    ]);

    // a configured node takes a new config through the endpoints, with the talosconfig
    mark = lab.calls().length;
    const reapply = await foundation(lab, ['cluster', 'apply', 'lab', '--node', '192.0.2.21']);
    expect(reapply.exitCode, reapply.stderr).toBe(0);
    expect(lab.calls().slice(mark)).toEqual([['apply-config', ...connection(WORKERS[0]!), '--file', path.join(configDir, 'worker.yaml')]]);
    outputs.push(reapply.stdout, reapply.stderr);

    // health
    mark = lab.calls().length;
    const health = await foundation(lab, ['cluster', 'health', 'lab', '--wait', '5m']);
    expect(health.exitCode, health.stderr).toBe(0);
    expect(health.stdout).toContain('lab: healthy (16 checks passed)');
    expect(health.stderr).toContain('waiting for etcd to be healthy: OK');
    expect(lab.calls().slice(mark)).toEqual([
      ['health', ...connection(CONTROL_PLANE), '--control-plane-nodes', CONTROL_PLANE, '--worker-nodes', WORKERS.join(','), '--wait-timeout', '5m'],
    ]);

    // kubeconfig: fetched to stdout (--merge=false -), merged under the context foundation.yaml names
    mark = lab.calls().length;
    const kubeconfig = await foundation(lab, ['cluster', 'kubeconfig', 'lab']);
    expect(kubeconfig.exitCode, kubeconfig.stderr).toBe(0);
    expect(kubeconfig.stdout).toContain(`lab: context lab (${lab.server.url}) written to ${lab.kubeconfig}`);
    expect(lab.calls().slice(mark)).toEqual([['kubeconfig', ...connection(CONTROL_PLANE), '--merge=false', '-']]);
    expect(statSync(lab.kubeconfig).mode & 0o777).toBe(0o600);
    const merged = parse(readFileSync(lab.kubeconfig, 'utf8'));
    expect(merged.contexts.map((c: { name: string }) => c.name)).toEqual(['lab']);
    expect(merged['current-context']).toBe('lab');

    // status: every node's version, the API, the readiness checks
    mark = lab.calls().length;
    const status = await foundation(lab, ['cluster', 'status', 'lab', '--json']);
    expect(status.exitCode, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report).toMatchObject({ cluster: 'lab', context: 'lab', ready: true, kubernetes: { reachable: true, version: 'v1.32.4', server: lab.server.url } });
    expect(report.nodes).toEqual([
      { address: CONTROL_PLANE, name: 'lab-cp-1', role: 'controlplane', reachable: true, talosVersion: 'v1.11.5' },
      { address: WORKERS[0], name: 'lab-w-1', role: 'worker', reachable: true, talosVersion: 'v1.11.5' },
      { address: WORKERS[1], name: 'lab-w-2', role: 'worker', reachable: true, talosVersion: 'v1.11.5' },
    ]);
    expect(report.checks.map((c: { name: string; ready: boolean }) => [c.name, c.ready])).toEqual([
      ['default-storageclass', true],
      ['ingressclass', true],
      ['dns', true],
      ['crd/externalsecrets.external-secrets.io', true],
      ['crd/clustersecretstores.external-secrets.io', true],
      ['exit-proof', true],
    ]);
    expect(lab.calls().slice(mark).sort()).toEqual(ALL_NODES.map((node) => ['version', ...connection(node), '--json']).sort());

    // the admin token reached only the 0600 kubeconfig; no secret was printed
    expect(filesContaining(lab.dir, 'lab-admin-token')).toEqual([]);
    outputs.push(bootstrap.stdout, bootstrap.stderr, health.stdout, health.stderr, kubeconfig.stdout, kubeconfig.stderr, status.stdout, status.stderr);
    const bundle = parse(readFileSync(lab.bundle, 'utf8'));
    for (const secret of [CANARY, bundle.trustdinfo.token, bundle.secrets.bootstraptoken, bundle.certs.os.key, 'lab-admin-token']) {
      expect(outputs.join('\n')).not.toContain(secret);
      expect(JSON.stringify(lab.calls())).not.toContain(secret);
    }
  });

  it('bootstrap is idempotent: the second run finds etcd members, exits 0 and calls no bootstrap', async () => {
    const lab = await talosLab();
    expect((await foundation(lab, ['cluster', 'config', 'lab', '--new-secrets'])).exitCode).toBe(0);
    expect((await foundation(lab, ['cluster', 'apply', 'lab', '--insecure'])).exitCode).toBe(0);
    expect((await foundation(lab, ['cluster', 'bootstrap', 'lab'])).exitCode).toBe(0);
    expect(lab.machine(CONTROL_PLANE)!.etcd).toBe(true);

    const mark = lab.calls().length;
    const again = await foundation(lab, ['cluster', 'bootstrap', 'lab']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('lab: etcd is already bootstrapped (members: lab-cp-1); nothing to do');
    expect(lab.calls().slice(mark).map((argv) => argv[0])).toEqual(['etcd']);

    // the fake refuses a second bootstrap as machined does: that is what foundation avoids
    const { execa } = await import('execa');
    const direct = await execa(lab.env.FOUNDATION_TALOSCTL_BIN!, ['bootstrap', '--talosconfig', path.join(lab.dir, '.foundation/clusters/lab/talosconfig'), '--nodes', CONTROL_PLANE, '--endpoints', CONTROL_PLANE], { env: lab.env, reject: false });
    expect(direct.exitCode).toBe(1);
    expect(direct.stderr).toBe('error executing bootstrap: rpc error: code = AlreadyExists desc = etcd data directory is not empty');
  });

  it('health fails with a summary when a node is not ready: exit 1', async () => {
    const lab = await talosLab();
    for (const args of [['cluster', 'config', 'lab', '--new-secrets'], ['cluster', 'apply', 'lab', '--insecure'], ['cluster', 'bootstrap', 'lab']]) {
      expect((await foundation(lab, args)).exitCode).toBe(0);
    }
    lab.setMachine(WORKERS[1]!, { healthy: false });
    const health = await foundation(lab, ['cluster', 'health', 'lab', '--wait', '1s', '--json']);
    expect(health.exitCode).toBe(1);
    const summary = JSON.parse(health.stdout);
    expect(summary).toMatchObject({ cluster: 'lab', healthy: false, failed: [{ check: 'all k8s nodes to report ready', reason: 'some nodes are not ready: [lab-w-2]' }], error: 'rpc error: code = DeadlineExceeded desc = context deadline exceeded' });
    expect(summary.passed).toContain('etcd to be healthy');
  });
});

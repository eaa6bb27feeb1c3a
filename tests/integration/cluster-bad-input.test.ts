import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { FAKE_TALOSCTL, WORKERS, bootstrappedLab, LAB_TIMEOUT, cleanUpTalosLabs, talosLab, type TalosLab } from '../support/talos-lab.js';

cleanUpTalosLabs();

const foundation = (lab: TalosLab, args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: lab.dir, env: { ...lab.env, ...env } });

/** One `error:` line and one `hint:` line, nothing else (no stack trace). */
function oneLineError(stderr: string): { error: string; hint: string } {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[1]).toMatch(/^hint: /);
  return { error: lines[0]!, hint: lines[1]! };
}

describe('cluster commands: bad input is one clear line, exit 1', { timeout: LAB_TIMEOUT }, () => {
  it('an unknown cluster', async () => {
    const lab = await talosLab();
    for (const args of [['cluster', 'status', 'labb'], ['cluster', 'config', 'labb'], ['kubectl', '--cluster', 'labb', '--', 'get', 'pods'], ['talosctl', 'labb', '--', 'version']]) {
      const result = await foundation(lab, args);
      expect(result.exitCode).toBe(1);
      expect(oneLineError(result.stderr)).toEqual({ error: 'error: unknown cluster "labb" (did you mean "lab"?)', hint: 'hint: clusters defined in foundation.yaml: lab' });
    }
    expect(lab.calls()).toEqual([]);
  });

  it('a node not in the cluster', async () => {
    const lab = await talosLab();
    for (const args of [['cluster', 'apply', 'lab', '--insecure', '--node', '192.0.2.99'], ['talosctl', 'lab', '--node', 'lab-w-9', '--', 'version']]) {
      const result = await foundation(lab, args);
      expect(result.exitCode).toBe(1);
      const { error, hint } = oneLineError(result.stderr);
      expect(error).toMatch(/^error: node "(192\.0\.2\.99|lab-w-9)" is not in cluster lab$/);
      expect(hint).toBe('hint: nodes of lab: 192.0.2.11 (lab-cp-1), 192.0.2.21 (lab-w-1), 192.0.2.22 (lab-w-2)');
    }
    expect(lab.calls()).toEqual([]);
  });

  it('no talosctl on PATH: nothing is written', async () => {
    const lab = await talosLab();
    const result = await foundation(lab, ['cluster', 'config', 'lab', '--new-secrets'], { FOUNDATION_TALOSCTL_BIN: undefined, PATH: '/usr/bin:/bin' });
    expect(result.exitCode).toBe(1);
    expect(oneLineError(result.stderr)).toEqual({
      error: 'error: talosctl is not on PATH',
      hint: 'hint: install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/) or set FOUNDATION_TALOSCTL_BIN to its path',
    });
    expect(existsSync(path.join(lab.dir, '.foundation'))).toBe(false);
    expect(existsSync(lab.bundle)).toBe(false);
  });

  it('an unreachable node: apply and bootstrap say which node and why', async () => {
    const lab = await talosLab();
    expect((await foundation(lab, ['cluster', 'config', 'lab', '--new-secrets'])).exitCode).toBe(0);
    lab.setMachine(WORKERS[1]!, undefined);
    const apply = await foundation(lab, ['cluster', 'apply', 'lab', '--insecure', '--node', 'lab-w-2']);
    expect(apply.exitCode).toBe(1);
    expect(oneLineError(apply.stderr).error).toBe(
      'error: apply-config failed on 192.0.2.22 (lab-w-2): error applying configuration: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp 192.0.2.22:50000: connect: connection refused"',
    );

    // all three: the two reachable nodes are configured, the run still exits 1 and names the third
    const all = await foundation(lab, ['cluster', 'apply', 'lab', '--insecure']);
    expect(all.exitCode).toBe(1);
    expect(all.stderr.trimEnd().split('\n').slice(-2)[0]).toBe('error: apply-config failed on 1 of 3 nodes: 192.0.2.22');

    lab.setMachine('192.0.2.11', undefined);
    const bootstrap = await foundation(lab, ['cluster', 'bootstrap', 'lab']);
    expect(bootstrap.exitCode).toBe(1);
    expect(oneLineError(bootstrap.stderr).error).toMatch(/^error: bootstrap of etcd on 192\.0\.2\.11 \(lab-cp-1\) failed: error executing bootstrap: rpc error: code = Unavailable .*192\.0\.2\.11:50000: connect: connection refused"$/);
  });

  it('commands that need the generated configs say to run cluster config first; a secrets bundle inside the repo is refused', async () => {
    const lab = await talosLab();
    const status = await foundation(lab, ['cluster', 'status', 'lab']);
    expect(oneLineError(status.stderr)).toEqual({ error: 'error: cluster lab has no generated talosconfig yet', hint: 'hint: run "foundation cluster config lab" first' });
    const inside = await foundation(lab, ['cluster', 'config', 'lab', '--new-secrets'], { FOUNDATION_LAB_TALOS_SECRETS: path.join(lab.dir, 'secrets.yaml') });
    expect(inside.exitCode).toBe(1);
    expect(oneLineError(inside.stderr).error).toBe('error: FOUNDATION_LAB_TALOS_SECRETS points inside the repository (secrets.yaml): the secrets bundle must never be committed');
    expect(lab.calls()).toEqual([]);
    const existing = await bootstrappedLab(foundation);
    const again = await foundation(existing, ['cluster', 'config', 'lab', '--new-secrets']);
    expect(oneLineError(again.stderr).error).toMatch(/^error: a secrets bundle already exists at .*lab-secrets\.yaml; --new-secrets would give cluster lab a new identity$/);
  });
});

describe('the fake talosctl is as strict as talosctl', () => {
  const run = (lab: TalosLab, args: string[]) => execa(FAKE_TALOSCTL, args, { env: lab.env, reject: false });

  it('refuses unknown flags, missing values and stray arguments the way cobra/pflag and talosctl do', async () => {
    const lab = await talosLab();
    const cases: Array<[string[], string]> = [
      [['apply-config', '--foo'], 'unknown flag: --foo'],
      [['apply-config', '-z'], "unknown shorthand flag: 'z' in -z"],
      [['apply-config', '--file'], 'flag needs an argument: --file'],
      [['health', '--wait-timeout', '5 minutes'], 'invalid argument "5 minutes" for "--wait-timeout" flag: time: invalid duration "5 minutes"'],
      [['kubeconfig', '--merge=maybe'], 'invalid argument "maybe" for "--merge" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
      [['bootstrap', 'now'], 'unknown command "now" for "talosctl bootstrap"'],
      [['gen', 'config', 'lab'], 'accepts 2 arg(s), received 1'],
      [['gen', 'secrets', '--nodes', '192.0.2.11'], 'unknown flag: --nodes'],
      [['bootstrap', '--nodes', '192.0.2.11,192.0.2.21', '--talosconfig', '/nonexistent'], 'command "bootstrap" requires exactly one node (got 2)'],
      [['apply-config', '--insecure', '--nodes', '192.0.2.21'], 'no filename supplied for configuration'],
    ];
    for (const [args, message] of cases) {
      const result = await run(lab, args);
      expect(result.exitCode, args.join(' ')).toBe(1);
      expect(String(result.stderr).split('\n')[0]).toBe(message);
    }
  });
});

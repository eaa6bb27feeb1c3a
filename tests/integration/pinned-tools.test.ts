import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../support/cli.js';
import { CONTROL_PLANE, WORKERS, bootstrappedLab, LAB_TIMEOUT, cleanUpTalosLabs, makeWorkloadReady, type TalosLab } from '../support/talos-lab.js';

cleanUpTalosLabs();

const foundation = (lab: TalosLab, args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: lab.dir, env: { ...lab.env, ...env } });

function pod(namespace: string, name: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'app', image: 'busybox' }] }, status: { phase: 'Running' } };
}

/** A second context, current, whose server answers nothing: only an explicit --context reaches the lab. */
function addDecoyContext(lab: TalosLab): void {
  const config = parse(readFileSync(lab.kubeconfig, 'utf8'));
  config.clusters.push({ name: 'decoy', cluster: { server: 'https://127.0.0.1:9', 'insecure-skip-tls-verify': true } });
  config.users.push({ name: 'decoy', user: { token: 'decoy' } });
  config.contexts.push({ name: 'decoy', context: { cluster: 'decoy', user: 'decoy' } });
  config['current-context'] = 'decoy';
  writeFileSync(lab.kubeconfig, stringify(config), { mode: 0o600 });
}

describe('foundation kubectl: the real kubectl pinned to the stack\'s context and namespace', { timeout: LAB_TIMEOUT }, () => {
  it('runs kubectl against the right context and namespace; -n in the args wins; --context in the args is refused', async () => {
    const lab = await bootstrappedLab(foundation);
    addDecoyContext(lab);
    lab.server.put(pod('eve-skill-farm', 'eve-skill-farm-7d9f-x2k4l'));
    lab.server.put(pod('default', 'somebody-else'));

    const pods = await foundation(lab, ['kubectl', 'eve-skill-farm', '--', 'get', 'pods']);
    expect(pods.exitCode, pods.stderr).toBe(0);
    expect(pods.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\neve-skill-farm-7d9f-x2k4l\s+0\/1\s+Running\s+0\s+/);
    expect(pods.stdout).not.toContain('somebody-else');
    const listed = lab.server.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/pods'));
    expect(listed.map((r) => r.path)).toEqual(['/api/v1/namespaces/eve-skill-farm/pods']);

    const other = await foundation(lab, ['kubectl', 'eve-skill-farm', '--', 'get', 'pods', '-n', 'default', '-o', 'name']);
    expect(other.exitCode, other.stderr).toBe(0);
    expect(other.stdout).toBe('pod/somebody-else\n');

    const before = lab.server.requests.length;
    for (const aim of [['--context', 'decoy'], ['--context=decoy'], ['--kubeconfig=/tmp/other'], ['-s', 'https://127.0.0.1:9']]) {
      const refused = await foundation(lab, ['kubectl', 'eve-skill-farm', '--', 'get', 'pods', ...aim]);
      expect(refused.exitCode).toBe(3);
      expect(refused.stderr).toMatch(new RegExp(`^error: "${aim[0]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" would aim kubectl away from stack eve-skill-farm \\(context lab\\); foundation sets the target itself\\nhint: `));
    }
    expect(lab.server.requests.length).toBe(before);

    // kubectl's own exit code and message come through
    const missing = await foundation(lab, ['kubectl', 'eve-skill-farm', '--', 'get', 'pod', 'nope']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');
  });

  it('--cluster aims at the cluster\'s context; the stand-in serves storage, ingress and CRDs to kubectl with the real validation', async () => {
    const lab = await bootstrappedLab(foundation);
    addDecoyContext(lab);
    makeWorkloadReady(lab.server);

    const classes = await foundation(lab, ['kubectl', '--cluster', 'lab', '--', 'get', 'storageclass']);
    expect(classes.exitCode, classes.stderr).toBe(0);
    expect(classes.stdout).toMatch(/^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE\nlocal-path\s+rancher\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+false\s+/);
    const crds = await foundation(lab, ['kubectl', '--cluster', 'lab', '--', 'get', 'crd', '-o', 'name']);
    expect(crds.stdout).toBe('customresourcedefinition.apiextensions.k8s.io/clustersecretstores.external-secrets.io\ncustomresourcedefinition.apiextensions.k8s.io/externalsecrets.external-secrets.io\n');

    const manifest = path.join(lab.home, 'bad.yaml');
    writeFileSync(manifest, stringify({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, reclaimPolicy: 'Recycle' }));
    const invalid = await foundation(lab, ['kubectl', '--cluster', 'lab', '--', 'create', '-f', manifest]);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain('The StorageClass "fast" is invalid: \n* provisioner: Required value\n* reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"');
    writeFileSync(manifest, stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik' }, spec: { controller: 'traefik' } }));
    const badController = await foundation(lab, ['kubectl', '--cluster', 'lab', '--', 'create', '-f', manifest]);
    expect(badController.stderr).toContain('spec.controller: Invalid value: "traefik": must be a domain-prefixed path (such as "acme.io/foo")');
    writeFileSync(manifest, stringify({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'buckets.example.org' }, spec: { group: 'example.org', scope: 'Namespaced', names: { plural: 'tenantbuckets', kind: 'TenantBucket' }, versions: [{ name: 'v1', served: true, storage: true }] } }));
    const badCrd = await foundation(lab, ['kubectl', '--cluster', 'lab', '--', 'create', '-f', manifest]);
    expect(badCrd.stderr).toContain('metadata.name: Invalid value: "buckets.example.org": must be spec.names.plural+"."+spec.group');
  });
});

describe('foundation talosctl: --talosconfig, --endpoints and --nodes from foundation.yaml', { timeout: LAB_TIMEOUT }, () => {
  it('pins the connection flags, narrows to --node, refuses its own aiming flags and passes talosctl\'s exit code', async () => {
    const lab = await bootstrappedLab(foundation);
    const talosconfig = path.join(lab.dir, '.foundation/clusters/lab/talosconfig');

    let mark = lab.calls().length;
    const members = await foundation(lab, ['talosctl', 'lab', '--node', 'lab-cp-1', '--', 'etcd', 'members']);
    expect(members.exitCode, members.stderr).toBe(0);
    expect(members.stdout).toMatch(/^NODE\s+ID\s+HOSTNAME\s+PEER URLS\s+CLIENT URLS\s+LEARNER\n192\.0\.2\.11\s+2c6e1ad3f0b45e7a\s+lab-cp-1\s+/);
    expect(lab.calls().slice(mark)).toEqual([['etcd', 'members', '--talosconfig', talosconfig, '--endpoints', CONTROL_PLANE, '--nodes', CONTROL_PLANE]]);

    mark = lab.calls().length;
    const versions = await foundation(lab, ['talosctl', 'lab', '--', 'version', '--short']);
    expect(versions.exitCode, versions.stderr).toBe(0);
    expect(lab.calls().slice(mark)).toEqual([['version', '--short', '--talosconfig', talosconfig, '--endpoints', CONTROL_PLANE, '--nodes', [CONTROL_PLANE, ...WORKERS].join(',')]]);

    mark = lab.calls().length;
    for (const aim of [['--nodes', '192.0.2.99'], ['-n', '192.0.2.99'], ['--endpoints=192.0.2.99'], ['--talosconfig', '/tmp/x']]) {
      const refused = await foundation(lab, ['talosctl', 'lab', '--', 'reboot', ...aim]);
      expect(refused.exitCode).toBe(3);
      expect(refused.stderr.split('\n')[0]).toBe(`error: "${aim[0]}" would aim talosctl away from cluster lab; foundation sets the target itself`);
    }
    expect(lab.calls().slice(mark)).toEqual([]);

    const unknownFlag = await foundation(lab, ['talosctl', 'lab', '--', 'version', '--foo']);
    expect(unknownFlag.exitCode).toBe(1);
    expect(unknownFlag.stderr.split('\n')[0]).toBe('unknown flag: --foo');
  });
});

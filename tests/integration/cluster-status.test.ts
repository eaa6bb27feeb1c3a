import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { WORKERS, bootstrappedLab, LAB_TIMEOUT, cleanUpTalosLabs, makeWorkloadReady, type TalosLab } from '../support/talos-lab.js';

cleanUpTalosLabs();

const foundation = (lab: TalosLab, args: string[]) => runCli(args, { cwd: lab.dir, env: lab.env });

describe('cluster status: nodes, the Kubernetes API and Phase 5 readiness', { timeout: LAB_TIMEOUT }, () => {
  it('a cluster without a default StorageClass reports it and exits 1; with everything present and eve-skill-farm available, exits 0', async () => {
    const lab = await bootstrappedLab(foundation);
    makeWorkloadReady(lab.server, { defaultStorageClass: false });

    const missing = await foundation(lab, ['cluster', 'status', 'lab']);
    expect(missing.exitCode, missing.stderr).toBe(1);
    expect(missing.stdout).toContain('NOT READY  default-storageclass: no default StorageClass (classes: local-path; none annotated storageclass.kubernetes.io/is-default-class=true)');
    expect(missing.stdout).toContain('ready      exit-proof: Deployment eve-skill-farm/eve-skill-farm: 2/2 replicas available');
    expect(missing.stdout.trimEnd().split('\n').pop()).toBe('lab: not ready: default-storageclass');

    makeWorkloadReady(lab.server);
    const ready = await foundation(lab, ['cluster', 'status', 'lab']);
    expect(ready.exitCode, ready.stderr).toBe(0);
    expect(ready.stdout).toMatch(/^NODE\s+NAME\s+ROLE\s+TALOS\s+REACHABLE\n192\.0\.2\.11\s+lab-cp-1\s+controlplane\s+v1\.11\.5\s+yes\n/);
    expect(ready.stdout).toContain(`Kubernetes API (context lab): answers, v1.32.4 at ${lab.server.url}`);
    expect(ready.stdout).toContain('ready      dns: 2/2 CoreDNS pods ready');
    expect(ready.stdout.trimEnd().split('\n').pop()).toBe('lab: ready');
  });

  it('the exit proof not available, a missing CRD and not-ready CoreDNS each say which and exit 1', async () => {
    const lab = await bootstrappedLab(foundation);
    makeWorkloadReady(lab.server);
    const deployment = lab.server.get('apps/v1', 'Deployment', 'eve-skill-farm', 'eve-skill-farm')!;
    lab.server.put({ ...deployment, status: { observedGeneration: 1, replicas: 2, availableReplicas: 0, conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }] } });
    lab.server.remove('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, 'clustersecretstores.external-secrets.io');
    const pod = lab.server.get('v1', 'Pod', 'kube-system', 'coredns-64b67fc8f-9wq7d')!;
    lab.server.put({ ...pod, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } });

    const status = await foundation(lab, ['cluster', 'status', 'lab', '--json']);
    expect(status.exitCode).toBe(1);
    const report = JSON.parse(status.stdout);
    expect(report.ready).toBe(false);
    const notReady = Object.fromEntries(report.checks.filter((c: { ready: boolean }) => !c.ready).map((c: { name: string; detail: string }) => [c.name, c.detail]));
    expect(notReady).toEqual({
      dns: '1/2 CoreDNS pods ready',
      'crd/clustersecretstores.external-secrets.io': 'CRD clustersecretstores.external-secrets.io is not installed (secrets operator missing?)',
      'exit-proof': 'Deployment eve-skill-farm/eve-skill-farm is not available (MinimumReplicasUnavailable: Deployment does not have minimum availability.; 0/2 replicas available)',
    });
  });

  it('an unreachable node and an unreachable Kubernetes API are reported, exit 1', async () => {
    const lab = await bootstrappedLab(foundation);
    makeWorkloadReady(lab.server);
    lab.setMachine(WORKERS[1]!, undefined);
    await lab.server.stop();

    const status = await foundation(lab, ['cluster', 'status', 'lab']);
    expect(status.exitCode).toBe(1);
    expect(status.stdout).toMatch(/192\.0\.2\.22\s+lab-w-2\s+worker\s+-\s+no: error getting version from node 192\.0\.2\.22: rpc error: code = Unavailable desc = connection error: .*dial tcp 192\.0\.2\.22:50000: connect: connection refused/);
    expect(status.stdout).toMatch(/Kubernetes API \(context lab\): NOT answering: /);
    expect(status.stdout.trimEnd().split('\n').pop()).toBe('lab: not ready: node 192.0.2.22, Kubernetes API');
  });
});

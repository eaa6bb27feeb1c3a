import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isBusy } from '../../src/kube/arc.js';
import { capsInManifest, decodeRelease } from '../../src/kube/helm-release.js';

describe('busy runners', () => {
  it('a runner is busy while Running with a job: jobId (ARC 0.13+) or jobRequestId (older)', () => {
    expect(isBusy({ phase: 'Running', jobId: '123' })).toBe(true);
    expect(isBusy({ phase: 'Running', jobRequestId: 42 })).toBe(true);
    expect(isBusy({ phase: 'Running', jobId: '', jobRequestId: 0 })).toBe(false);
    expect(isBusy({ phase: 'Pending', jobId: '123' })).toBe(false);
    expect(isBusy({ phase: 'Succeeded', jobId: '123' })).toBe(false);
    expect(isBusy(undefined)).toBe(false);
  });
});

describe('Helm release records', () => {
  const manifest = [
    '---',
    '# Source: gha-runner-scale-set/templates/autoscalingrunnerset.yaml',
    'apiVersion: actions.github.com/v1alpha1',
    'kind: AutoscalingRunnerSet',
    'metadata:',
    '  name: nix-baseline',
    'spec:',
    '  maxRunners: 20',
    '  minRunners: 1',
    '---',
    'apiVersion: actions.github.com/v1alpha1',
    'kind: AutoscalingRunnerSet',
    'metadata:',
    '  name: unlimited',
    'spec:',
    '  githubConfigUrl: https://github.com/o',
  ].join('\n');

  it('decodes base64 (Kubernetes) of base64 (Helm) of gzip, and plain JSON of old releases', () => {
    const json = JSON.stringify({ name: 'nix-baseline', version: 2, manifest });
    const gzipped = Buffer.from(Buffer.from(gzipSync(json)).toString('base64')).toString('base64');
    expect(decodeRelease(gzipped).manifest).toBe(manifest);
    const plain = Buffer.from(Buffer.from(json).toString('base64')).toString('base64');
    expect(decodeRelease(plain).manifest).toBe(manifest);
  });

  it('reads a scale set\'s caps from the manifest; an absent cap is null', () => {
    expect(capsInManifest(manifest, 'nix-baseline')).toEqual({ minRunners: 1, maxRunners: 20 });
    expect(capsInManifest(manifest, 'unlimited')).toEqual({ minRunners: null, maxRunners: null });
    expect(capsInManifest(manifest, 'missing')).toBeUndefined();
  });
});

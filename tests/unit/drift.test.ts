import { describe, expect, it } from 'vitest';
import { compareObject } from '../../src/drift/compare.js';
import { stateExpectations } from '../../src/drift/expected.js';
import { compileRule, ignoredPaths, parsePointer, parseSelector, toPointer } from '../../src/drift/ignore.js';
import { quantity, sameScalar } from '../../src/drift/normalise.js';
import { parseState } from '../../src/drift/state.js';
import { typedKind, typedObject } from '../../src/drift/typed.js';

describe('normalising values', () => {
  it('reads Kubernetes quantities', () => {
    expect(quantity('1000m')).toBe(1);
    expect(quantity('1Gi')).toBe(1073741824);
    expect(quantity('1024Mi')).toBe(quantity('1Gi'));
    expect(quantity('500m')).toBe(0.5);
    expect(quantity('2k')).toBe(2000);
    expect(quantity('1e3')).toBe(1000);
    expect(quantity('latest')).toBeUndefined();
  });

  it('treats 1000m and 1, "80" and 80, true and "true" as the same; real differences stay', () => {
    expect(sameScalar('1000m', '1')).toBe(true);
    expect(sameScalar('1Gi', '1073741824')).toBe(true);
    expect(sameScalar('80', 80)).toBe(true);
    expect(sameScalar(true, 'true')).toBe(true);
    expect(sameScalar('1', '2')).toBe(false);
    expect(sameScalar('512Mi', '1Gi')).toBe(false);
    expect(sameScalar('http', 8080)).toBe(false);
  });
});

describe('ignore rules', () => {
  it('JSON Pointers per RFC 6901', () => {
    expect(parsePointer('/metadata/annotations/sidecar.istio.io~1status')).toEqual(['metadata', 'annotations', 'sidecar.istio.io/status']);
    expect(parsePointer('/a~0b')).toEqual(['a~b']);
    expect(toPointer(['metadata', 'annotations', 'foundation/drain'])).toBe('/metadata/annotations/foundation~1drain');
    expect(() => parsePointer('spec.replicas')).toThrow(/not a JSON Pointer/);
  });

  it('label selectors, equality and set based', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(parseSelector('app=web,tier!=back')(labels)).toBe(true);
    expect(parseSelector('app in (web, api),!canary')(labels)).toBe(true);
    expect(parseSelector('tier notin (front)')(labels)).toBe(false);
    expect(parseSelector('app==api')(labels)).toBe(false);
    expect(() => parseSelector('app=(')).toThrow(/not a valid label selector/);
  });

  it('targets match like Flux: anchored regular expressions on kind, name and namespace', () => {
    const rule = compileRule({ paths: ['/spec/replicas'], target: { kind: 'Deploy.*', name: 'api|worker', namespace: 'web' } });
    const object = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', namespace: 'web', labels: {}, annotations: {} };
    expect(rule.matches(object)).toBe(true);
    expect(rule.matches({ ...object, name: 'api-2' })).toBe(false);
    expect(rule.matches({ ...object, namespace: 'web-staging' })).toBe(false);
    expect(compileRule({ paths: ['/x'], target: { group: 'apps' } }).matches(object)).toBe(true);
    expect(compileRule({ paths: ['/x'], target: { group: '' } }).matches({ ...object, apiVersion: 'v1' })).toBe(true);
    expect(() => compileRule({ paths: ['/x'], target: { name: '(' } })).toThrow();
  });
});

describe('comparing declared fields', () => {
  const defaults = ignoredPaths({ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', labels: {}, annotations: {} }, [], { hpaTargeted: false });

  it('ignores fields the server adds and platform annotations; shows extra list items and hand-added labels', () => {
    const expected = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', labels: { app: 'a' } }, spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] } } } };
    const live = {
      metadata: { name: 'a', uid: 'u', resourceVersion: '9', labels: { app: 'a', team: 'x' }, annotations: { 'deployment.kubernetes.io/revision': '3', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }] }, { name: 'sidecar' }] } } },
      status: { replicas: 1 },
    };
    expect(compareObject(expected, live, defaults).fields).toEqual([
      { path: '/metadata/labels/team', live: 'x' },
      { path: '/spec/template/spec/containers/1', live: { name: 'sidecar' } },
    ]);
  });

  it('a declared zero value matches an absent field (omitempty)', () => {
    expect(compareObject({ kind: 'Pod', spec: { hostNetwork: false, tolerations: [] } }, { spec: {} }, defaults).fields).toEqual([]);
  });

  it('an ignored prefix hides its whole subtree, at any depth, and nothing beside it', () => {
    const expected = { kind: 'Deployment', metadata: { labels: { app: 'a' } }, spec: { replicas: 2, template: { spec: { containers: [{ image: 'a:1' }] } } } };
    const live = {
      metadata: { labels: { app: 'a', injected: 'yes' }, annotations: { 'hand/made': 'x' } },
      spec: { replicas: 5, template: { spec: { containers: [{ image: 'a:2' }, { name: 'sidecar' }] } } },
    };
    const all = compareObject(expected, live, defaults).fields.map((f) => f.path);
    expect(all).toEqual(['/metadata/labels/injected', '/spec/replicas', '/spec/template/spec/containers/0/image', '/spec/template/spec/containers/1', '/metadata/annotations/hand~1made']);
    const ignoring = (...paths: string[][]) => compareObject(expected, live, [...defaults, ...paths]).fields.map((f) => f.path);
    expect(ignoring(['metadata'])).toEqual(['/spec/replicas', '/spec/template/spec/containers/0/image', '/spec/template/spec/containers/1']);
    expect(ignoring(['metadata', 'annotations'], ['spec', 'template', 'spec', 'containers', '1'])).toEqual(['/metadata/labels/injected', '/spec/replicas', '/spec/template/spec/containers/0/image']);
    expect(ignoring(['spec', 'template'])).toEqual(['/metadata/labels/injected', '/spec/replicas', '/metadata/annotations/hand~1made']);
    expect(ignoring(['spec', 'replicasx'])).toEqual(all);
  });

  it('Secrets by their bytes: key names only', () => {
    const expected = { kind: 'Secret', data: { a: Buffer.from('one').toString('base64'), b: Buffer.from('two').toString('base64') } };
    const live = { data: { a: Buffer.from('one').toString('base64'), b: Buffer.from('2').toString('base64'), c: 'eA==' } };
    expect(compareObject(expected, live, defaults)).toEqual({ fields: [], secretData: { changed: ['b'], added: ['c'], removed: [] } });
    expect(compareObject({ kind: 'Secret', stringData: { a: 'one' } }, { data: { a: Buffer.from('one').toString('base64') } }, defaults)).toEqual({ fields: [] });
  });
});

describe('expected objects from state', () => {
  it('typed resources: blocks to fields, zero values dropped, Secret data encoded, int-or-string kept', () => {
    const kind = typedKind('kubernetes_service_v1')!;
    expect(kind).toEqual({ apiVersion: 'v1', kind: 'Service' });
    const object = typedObject(kind, {
      id: 'web/api',
      metadata: [{ name: 'api', namespace: 'web', labels: {}, annotations: {}, uid: 'u', resource_version: '4', generation: 0, generate_name: '' }],
      spec: [{ cluster_ip: '10.0.0.1', port: [{ port: 80, target_port: '8080', name: '', node_port: 0 }], selector: { app: 'api' }, allocate_load_balancer_node_ports: true, type: 'ClusterIP' }],
      timeouts: null,
      wait_for_load_balancer: true,
    });
    expect(object).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'web' }, spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, targetPort: '8080' }], selector: { app: 'api' }, type: 'ClusterIP' } });
    const secret = typedObject(typedKind('kubernetes_secret')!, { metadata: [{ name: 's' }], data: { k: 'v' }, binary_data: { b: 'AAE=' }, type: 'Opaque' });
    expect(secret.data).toEqual({ k: 'dg==', b: 'AAE=' });
    expect(typedKind('kubernetes_labels')).toBeUndefined();
  });

  it('kubernetes_manifest dynamic values and helm_release metadata as a list (provider 2.x) or an object (3.x)', () => {
    const instances = parseState(
      JSON.stringify({
        version: 4,
        resources: [
          { mode: 'managed', type: 'kubernetes_manifest', name: 'm', instances: [{ attributes: { manifest: { value: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n', labels: null } }, type: 'object' } } }] },
          { mode: 'managed', type: 'helm_release', name: 'a', instances: [{ attributes: { name: 'a', namespace: 'n', status: 'deployed', metadata: [{ revision: 3, chart: 'x', version: '1.0.0' }] } }] },
          { module: 'module.b', mode: 'managed', type: 'helm_release', name: 'b', instances: [{ index_key: 'k', attributes: { name: 'b', namespace: 'n', status: 'deployed', metadata: { revision: 5, chart: 'y', version: '2.0.0' } } }] },
          { mode: 'managed', type: 'kubernetes_labels', name: 'l', instances: [{ attributes: {} }] },
          { mode: 'data', type: 'kubernetes_config_map', name: 'd', instances: [{ attributes: {} }] },
        ],
      }),
      'test',
    );
    const expectations = stateExpectations(instances);
    expect(expectations.objects).toEqual([expect.objectContaining({ kind: 'ConfigMap', name: 'c', namespace: 'n', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } } })]);
    expect(expectations.releases.map((r) => [r.source, r.revision, r.chart])).toEqual([
      ['helm_release.a', 3, 'x'],
      ['module.b.helm_release.b["k"]', 5, 'y'],
    ]);
    expect(expectations.skipped).toEqual(['kubernetes_labels.l']);
  });

  it('refuses state that is not version 4', () => {
    expect(() => parseState('{"version": 3}', 's3://b/k')).toThrow('the state at s3://b/k is format version 3; foundation drift reads version 4');
    expect(() => parseState('not json', 's3://b/k')).toThrow('is not JSON');
  });
});

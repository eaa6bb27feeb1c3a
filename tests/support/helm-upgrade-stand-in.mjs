#!/usr/bin/env node
// Does to the cluster what Helm 3 does for
//   helm upgrade <release> gha-runner-scale-set -n <namespace> --reuse-values --set maxRunners=N ...
// on one release made by tests/support/helm-release.ts, through the real kubectl on PATH.
//
//   node helm-upgrade-stand-in.mjs --namespace arc-runners --release nix-baseline
//       [--min N|null] [--max N|null] [--kubeconfig F] [--context C]
//
// `null` removes the value (as `--set maxRunners=null` does); an option left out keeps the
// old value. Without --kubeconfig, kubectl reads KUBECONFIG. The steps follow helm v3.19
// pkg/action/upgrade.go:
//   1. read the release Secrets; upgrade the newest deployed revision (refused while the newest
//      one is pending-*), as revision <newest> + 1
//   2. `kubectl create` the new revision with status pending-upgrade
//   3. update the AutoscalingRunnerSet with a two-way JSON merge patch from the old rendered
//      object to the new one (custom resources get no three-way merge on upgrade): changed
//      min/maxRunners (null when dropped), the values-hash annotation, and Helm's ownership
//      annotations, which Helm adds to the new objects only. The chart's other documents
//      render identically, so Helm would send them nothing; the stand-in skips them.
//      On failure the new revision is recorded as failed.
//   4. rewrite the old revision as superseded and the new one as deployed (`kubectl replace`:
//      Helm's storage Update re-encodes the whole record, so label and record agree)
// Only node: modules; the manifest is edited with patterns that fit what helm-release.ts renders.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';

class UpgradeError extends Error {}

const { values: options } = parseArgs({
  options: {
    namespace: { type: 'string', short: 'n' },
    release: { type: 'string' },
    min: { type: 'string' },
    max: { type: 'string' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
  },
});

const cacheDir = mkdtempSync(join(tmpdir(), 'helm-stand-in-kubectl-'));
try {
  const { namespace, release } = options;
  if (!namespace || !release) throw new UpgradeError('--namespace and --release are required');
  const caps = { minRunners: capOption('min', options.min), maxRunners: capOption('max', options.max) };
  const deployed = upgrade(namespace, release, caps);
  console.log(`Release "${release}" has been upgraded. Happy Helming!`);
  console.log(`NAME: ${release}\nLAST DEPLOYED: ${deployed.info.last_deployed}\nNAMESPACE: ${namespace}`);
  console.log(`STATUS: ${deployed.info.status}\nREVISION: ${deployed.version}`);
} catch (error) {
  if (!(error instanceof UpgradeError)) throw error;
  console.error(`Error: UPGRADE FAILED: ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

/** undefined: keep the old value; null: remove it; else a non-negative integer. */
function capOption(name, text) {
  if (text === undefined || text === 'null') return text === undefined ? undefined : null;
  if (!/^\d+$/.test(text)) throw new UpgradeError(`--${name} must be a non-negative integer or null, got "${text}"`);
  return Number(text);
}

function upgrade(namespace, release, caps) {
  const selector = `owner=helm,name=${release}`;
  const stored = kubectlJson(['get', 'secrets', '-n', namespace, '-l', selector, '-o', 'json']).items;
  const records = stored.map((secret) => decodeRelease(secret.data.release)).sort((a, b) => b.version - a.version);
  if (records.length === 0) throw new UpgradeError(`"${release}" has no deployed releases`);
  if (records[0].info.status.startsWith('pending-')) {
    throw new UpgradeError('another operation (install/upgrade/rollback) is in progress');
  }
  const current = records.find((r) => r.info.status === 'deployed');
  if (!current) throw new UpgradeError(`"${release}" has no deployed releases`);

  const config = { ...current.config };
  for (const [key, value] of Object.entries(caps)) {
    if (value === null) delete config[key];
    else if (value !== undefined) config[key] = value;
  }
  const next = {
    name: release,
    info: {
      first_deployed: current.info.first_deployed,
      last_deployed: new Date().toISOString(),
      deleted: current.info.deleted,
      description: 'Preparing upgrade',
      status: 'pending-upgrade',
    },
    chart: current.chart,
    config,
    manifest: render(current.manifest, config),
    version: records[0].version + 1,
    namespace,
  };
  kubectl(['create', '-f', '-'], JSON.stringify(releaseSecret(next, 'createdAt')));

  try {
    patchScaleSet(release, namespace, scaleSetDocument(current.manifest), scaleSetDocument(next.manifest));
  } catch (error) {
    if (!(error instanceof UpgradeError)) throw error;
    const failed = { ...next, info: { ...next.info, status: 'failed', description: `Upgrade "${release}" failed: ${error.message}` } };
    kubectl(['replace', '-f', '-'], JSON.stringify(releaseSecret(failed, 'modifiedAt')));
    throw error;
  }

  const superseded = { ...current, info: { ...current.info, status: 'superseded' } };
  kubectl(['replace', '-f', '-'], JSON.stringify(releaseSecret(superseded, 'modifiedAt')));
  const deployed = { ...next, info: { ...next.info, status: 'deployed', description: 'Upgrade complete' } };
  kubectl(['replace', '-f', '-'], JSON.stringify(releaseSecret(deployed, 'modifiedAt')));
  return deployed;
}

// ---- the chart, as far as the caps go ----

/** Re-renders the AutoscalingRunnerSet document for new values; the other documents do not depend on them. */
function render(manifest, config) {
  return manifest
    .split(/^(?=---\n)/m)
    .map((doc) => {
      if (!isScaleSet(doc)) return doc;
      const caps = ['maxRunners', 'minRunners']
        .filter((key) => config[key] !== undefined)
        .map((key) => `  ${key}: ${config[key]}\n`)
        .join('');
      return doc
        .replace(/^  (minRunners|maxRunners): .*\n/gm, '')
        .replace(/^  template:\n/m, `${caps}  template:\n`)
        .replace(/^(    actions\.github\.com\/values-hash: ).*$/m, `$1${valuesHash(config)}`);
    })
    .join('');
}

function isScaleSet(doc) {
  return /^kind: AutoscalingRunnerSet$/m.test(doc);
}

function scaleSetDocument(manifest) {
  const doc = manifest.split(/^(?=---\n)/m).find(isScaleSet);
  if (!doc) throw new UpgradeError('the release manifest renders no AutoscalingRunnerSet');
  const cap = (key) => {
    const match = new RegExp(`^  ${key}: (\\d+)$`, 'm').exec(doc);
    return match ? Number(match[1]) : undefined;
  };
  return {
    name: /^metadata:\n  name: (\S+)$/m.exec(doc)[1],
    valuesHash: /^    actions\.github\.com\/values-hash: (\S+)$/m.exec(doc)?.[1],
    minRunners: cap('minRunners'),
    maxRunners: cap('maxRunners'),
  };
}

/** jsonpatch.CreateMergePatch(old, new) restricted to the fields the two renders can differ in. */
function patchScaleSet(release, namespace, before, after) {
  const annotations = { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace };
  if (after.valuesHash !== before.valuesHash) annotations['actions.github.com/values-hash'] = after.valuesHash;
  const spec = {};
  for (const key of ['minRunners', 'maxRunners']) {
    if (after[key] !== before[key]) spec[key] = after[key] ?? null;
  }
  const patch = { metadata: { annotations }, ...(Object.keys(spec).length > 0 ? { spec } : {}) };
  kubectl(['patch', 'autoscalingrunnerset', after.name, '-n', namespace, '--type', 'merge', '-p', JSON.stringify(patch)]);
}

/** Must match valuesHash in helm-release.ts: sha256 of the values as sorted-key JSON, 63 hex digits. */
function valuesHash(values) {
  return createHash('sha256').update(canonicalJson(values)).digest('hex').slice(0, 63);
}

function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
    .join(',')}}`;
}

// ---- Helm's storage driver "secret" ----

/** Create sets a createdAt label, Update a modifiedAt one (and drops createdAt). */
function releaseSecret(record, timeLabel) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: `sh.helm.release.v1.${record.name}.v${record.version}`,
      namespace: record.namespace,
      labels: {
        [timeLabel]: String(Math.floor(Date.now() / 1000)),
        name: record.name,
        owner: 'helm',
        status: record.info.status,
        version: String(record.version),
      },
    },
    type: 'helm.sh/release.v1',
    data: { release: encodeRelease(record) },
  };
}

function encodeRelease(record) {
  const helmEncoded = gzipSync(JSON.stringify(record), { level: 9 }).toString('base64');
  return Buffer.from(helmEncoded).toString('base64');
}

function decodeRelease(data) {
  const bytes = Buffer.from(Buffer.from(data, 'base64').toString('latin1'), 'base64');
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
  return JSON.parse((gzipped ? gunzipSync(bytes) : bytes).toString('utf8'));
}

// ---- kubectl ----

function kubectl(args, input) {
  const global = ['--cache-dir', cacheDir];
  if (options.kubeconfig) global.push('--kubeconfig', options.kubeconfig);
  if (options.context) global.push('--context', options.context);
  const result = spawnSync('kubectl', [...global, ...args], { input, encoding: 'utf8' });
  if (result.error) throw new UpgradeError(`cannot run kubectl: ${result.error.message}`);
  if (result.status !== 0) {
    throw new UpgradeError(`kubectl ${args.join(' ')} failed (exit ${result.status}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function kubectlJson(args) {
  return JSON.parse(kubectl(args));
}

#!/usr/bin/env node
// Renames an AutoscalingRunnerSet the only way Kubernetes allows: create a copy under the
// new name (labels and annotations kept, as a chart that renames its release would carry
// them over), then delete the old object. Through the real kubectl on PATH (KUBECONFIG).
//
//   node rename-scale-set.mjs <namespace> <old-name> <new-name>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [namespace, from, to] = process.argv.slice(2);
const cacheDir = mkdtempSync(join(tmpdir(), 'rename-scale-set-kubectl-'));
function kubectl(args, input) {
  const result = spawnSync('kubectl', ['--cache-dir', cacheDir, ...args], { input, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    process.exit(1);
  }
  return result.stdout;
}
try {
  const object = JSON.parse(kubectl(['get', 'autoscalingrunnerset', from, '-n', namespace, '-o', 'json']));
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, generation: _g, ...metadata } = object.metadata;
  delete object.status;
  kubectl(['create', '-f', '-'], JSON.stringify({ ...object, metadata: { ...metadata, name: to } }));
  kubectl(['delete', 'autoscalingrunnerset', from, '-n', namespace]);
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

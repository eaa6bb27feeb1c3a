import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as k8s from '@kubernetes/client-node';
import { requireWithCodeCache } from '../util/code-cache.js';

/**
 * @kubernetes/client-node, from its own CommonJS bundle beside app.cjs
 * (dist/kubernetes-client.cjs, made by scripts/build.mjs) through V8's code cache: about a
 * tenth of what importing the package's ES modules costs on Node 20. Run from the sources
 * (the tests import src/), there is no bundle: the package itself.
 */
export async function loadKubeLibrary(): Promise<typeof k8s> {
  const bundle = fileURLToPath(new URL('./kubernetes-client.cjs', import.meta.url));
  return existsSync(bundle) ? requireWithCodeCache<typeof k8s>(bundle, 'library') : import('@kubernetes/client-node');
}

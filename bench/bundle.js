// Bundles TypeScript modules of this repository (src/, tests/support/) for a benchmark's own
// process: Node 20 does not run .ts, and dist/ holds only the CLI's bundles.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * `entries` maps an output name to a .ts file (relative to the repository); the bundles go
 * to `outdir` (under bench/.work, so their external packages resolve from node_modules).
 * Returns the imported modules by name.
 */
export async function bundleModules(repoRoot, entries, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(repoRoot, file)])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const modules = {};
  for (const name of Object.keys(entries)) modules[name] = await import(pathToFileURL(path.join(outdir, `${name}.js`)).href);
  return modules;
}

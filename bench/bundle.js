// TypeScript modules of this repository (src/, tests/support/) for a benchmark's own process:
// bundled with esbuild under bench/.work/<name> (gitignored), where their external packages
// resolve from node_modules (Node 20 does not run .ts).
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `modules`: output name -> repository-relative .ts file. Returns an import() of an output file ("<name>.js"). */
export async function bundleModules(name, modules) {
  const outdir = path.join(REPO_ROOT, 'bench', '.work', name);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(modules).map(([output, file]) => [output, path.join(REPO_ROOT, file)])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return (file) => import(pathToFileURL(path.join(outdir, file)).href);
}

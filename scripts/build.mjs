// `npm run build`: bundles src/ into dist/ with esbuild (tsc only type-checks, see package.json).
// One process start loads a handful of files instead of ~200 (the project's modules, execa's,
// commander's); the lazy imports stay lazy: every `import()` becomes its own chunk, and the heavy
// libraries stay external, loaded from node_modules only on the paths that import them.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
await build({
  // config/parse.ts is an entry of its own: config/load.ts require()s ./parse.js lazily and
  // synchronously (createRequire), next to the chunk that holds load.ts, so every file is flat in dist/.
  entryPoints: { cli: 'src/cli.ts', parse: 'src/config/parse.ts' },
  outdir: 'dist',
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Mapped back to src/ when bin/foundation.js enables source maps (--debug).
  sourcemap: true,
  sourcesContent: false,
  external: ['@aws-sdk/client-s3', '@kubernetes/client-node', '@gitbeaker/rest', 'listr2'],
  // Bundled CommonJS (cross-spawn inside execa) require()s Node's built-ins.
  banner: { js: "import { createRequire as __foundationRequire } from 'node:module'; const require = __foundationRequire(import.meta.url);" },
  logLevel: 'warning',
});

// `npm run build`: bundles src/ into dist/ with esbuild (tsc only type-checks, see package.json).
// CommonJS bundles, so a run loads a few files instead of ~200 and never pays for Node's
// ESM loader:
//   dist/launch.cjs  what bin/foundation.js requires: loads cli.cjs through V8's code cache
//                    (src/util/code-cache.ts);
//   dist/cli.cjs     the command line (commander, src/cli.ts): all that --help and usage errors load;
//   dist/app.cjs     everything a command runs (src/app.ts), loaded by cli.cjs the same way
//                    once a command runs.
// CommonJS, because Node 20 has a code cache for CommonJS only. Inside app.cjs every lazy
// import() stays lazy (esbuild initializes a module on its first import), and the heavy
// libraries stay external, required from node_modules only on the paths that use them.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });
const common = {
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Smaller files parse faster; names are kept, and bin/foundation.js maps traces back to
  // src/ through the source maps with --debug.
  minifyWhitespace: true,
  minifySyntax: true,
  // ASCII only (non-ASCII escaped): src/util/code-cache.ts reads the bundle as latin1.
  charset: 'ascii',
  sourcemap: true,
  sourcesContent: false,
  inject: ['scripts/import-meta-url.js'],
  define: { 'import.meta.url': 'importMetaUrl' },
  logLevel: 'warning',
};
await Promise.all([
  build({ ...common, entryPoints: { launch: 'src/launch.ts', cli: 'src/cli.ts' } }),
  build({
    ...common,
    entryPoints: { app: 'src/app.ts' },
    external: ['@aws-sdk/client-s3', '@kubernetes/client-node', '@gitbeaker/rest', '@gitbeaker/requester-utils', 'listr2'],
    // Their import() becomes require() (Node >= 20.19 requires ES modules too): code compiled
    // with vm.Script, as app.cjs is, has no import() without an experimental flag.
    supported: { 'dynamic-import': false },
  }),
]);

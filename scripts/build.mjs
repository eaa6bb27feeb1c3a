// `npm run build`: bundles src/ into dist/ with esbuild (tsc only type-checks, see package.json).
// CommonJS bundles, so a run loads a few files instead of ~200 and never pays for Node's
// ESM loader:
//   dist/launch.cjs  what bin/foundation.js requires: loads cli.cjs through V8's code cache
//                    (src/util/code-cache.ts);
//   dist/cli.cjs     the command line (commander, src/cli.ts): all that --help and usage errors load;
//   dist/app.cjs     everything a command runs (src/app.ts), loaded by cli.cjs the same way
//                    once a command runs;
//   dist/kubernetes-client.cjs  @kubernetes/client-node whole, loaded the same way by the
//                    commands that talk to a cluster (src/kube/library.ts).
// CommonJS, because Node 20 has a code cache for CommonJS only. Inside app.cjs every lazy
// import() stays lazy (esbuild initializes a module on its first import), and the heavy
// libraries stay external, required from node_modules only on the paths that use them.
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

/**
 * The git commit this build is made from, for `foundation version` (bug reports); "unknown"
 * when the folder is not the top of a git checkout (an unpacked tarball, perhaps inside
 * someone else's repository, whose commit would be the wrong one).
 */
function gitCommit() {
  try {
    const [top, commit] = execFileSync('git', ['rev-parse', '--show-toplevel', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    return realpathSync(top) === realpathSync('.') && /^[0-9a-f]{40}$/.test(commit) ? commit : 'unknown';
  } catch {
    return 'unknown'; // no git, or not a checkout
  }
}

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
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
  // src/util/build-info.ts: the version and commit are read here once, not on every run.
  define: { 'import.meta.url': 'importMetaUrl', FOUNDATION_VERSION: JSON.stringify(version), FOUNDATION_COMMIT: JSON.stringify(gitCommit()) },
  // The shell completion scripts (src/completion/shell/), bundled as strings.
  loader: { '.bash': 'text', '.zsh': 'text', '.fish': 'text' },
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
  // @kubernetes/client-node whole, for src/kube/library.ts: no source map (not our code); the
  // package stays a dependency, so its licence and its dependencies' are installed with foundation.
  build({ ...common, entryPoints: { 'kubernetes-client': 'scripts/kubernetes-client.cjs' }, sourcemap: false, inject: [], define: {} }),
]);

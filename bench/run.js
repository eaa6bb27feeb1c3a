#!/usr/bin/env node
// Wall-time benchmarks of whole foundation runs against a baseline on the same machine,
// in one run. What each scenario measures and why: bench/README.md.
//
//   npm run bench                          every scenario, 15 timed runs per command
//   npm run bench -- startup wrapper       the named scenarios only
//   npm run bench -- wrapper --runs 30     more runs (--warmup N: untimed runs first, default 3)
//   npm run bench -- --json                the results as JSON instead of markdown
//
// Build first (`npm run build`): bin/foundation.js runs dist/. Speed is measured here,
// never asserted in tests. No network but loopback: the S3 server is s3rver, in this
// process, and CHECKPOINT_DISABLE=1 keeps terraform from calling home.
import { spawn } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleModules } from './bundle.js';
import { NAMESPACES, RESOURCES, startBulkCluster } from './kube-api.js';

// Ctrl-C reaches the running child too; the run then stops and the teardowns still run.
let interrupted;
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => (interrupted = signal));

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO_ROOT, 'bin', 'foundation.js');
const BUILT = path.join(REPO_ROOT, 'dist', 'cli.cjs');
const BARE_PLANS = path.join(REPO_ROOT, 'bench', 'bare-plans.js');
// --before <bin/foundation.js of another build>: each foundation row gets a twin run with
// that build, interleaved with it in the same rounds (paired before/after on one machine).
let BEFORE;
const NODE = process.execPath;
const require = createRequire(import.meta.url);

/**
 * A command to time: one whole process run. `okCodes` are the exit codes that count as
 * success; any other aborts the benchmark (a failing command's time means nothing).
 * `memory`: record the process's peak resident set size too.
 */
function command(label, file, args, { cwd, env, okCodes = [0], memory = false }) {
  return { label, memory, steps: [{ file, args, cwd, env, okCodes }] };
}

/**
 * A `node bin/foundation.js ...args` row, plus its twin with the --before build when one
 * is given (labelled "(before)"). `label` defaults to the command line.
 */
function foundation(args, opts, label = `node bin/foundation.js ${args.join(' ')}`) {
  const rows = [command(label, NODE, [CLI, ...args], withCacheHome(opts, 'this'))];
  if (BEFORE) rows.push(command(`${label} (before)`, NODE, [BEFORE, ...args], withCacheHome(opts, 'before')));
  return rows;
}

/**
 * Each build keeps its caches (configuration, code) in a cache home of its own, filled by
 * the warm-up runs: in one shared home, two builds would evict each other's configuration
 * entry on every run. A row that sets XDG_CACHE_HOME itself keeps it.
 */
function withCacheHome(opts, build) {
  if (opts.env.XDG_CACHE_HOME) return opts;
  CACHE_HOMES[build] ??= mkdtempSync(path.join(os.tmpdir(), `foundation-bench-cache-${build}-`));
  return { ...opts, env: { ...opts.env, XDG_CACHE_HOME: CACHE_HOMES[build] } };
}
const CACHE_HOMES = {};

/**
 * Runs a scenario's setup with a list of cleanup steps, and returns what it set up with a
 * teardown that runs them in reverse; if the setup fails, they run before the error goes on.
 */
async function withCleanup(setup) {
  const cleanup = [];
  const teardown = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    return { ...(await setup(cleanup)), teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}

/** Live objects the drift scenario seeds (issue 20: "10,000 live objects, five kinds, three namespaces"). */
const DRIFT_OBJECTS = 10_000;

/**
 * Each scenario is one comparison: `setup` returns the commands to time (the first is the
 * baseline the others are compared with) and a `teardown`. Add a scenario by adding an
 * entry here; `node bench/run.js <name>` picks it.
 */
const scenarios = {
  startup: {
    title: 'Startup: `foundation --help` and `foundation stacks --json` against `node -e 0`',
    async setup() {
      const opts = { cwd: REPO_ROOT, env: benchEnv({ ENV: 'dev' }) };
      return {
        commands: [
          command('node -e 0', NODE, ['-e', '0'], opts),
          ...foundation(['--help'], opts),
          ...foundation(['stacks', '--json'], opts),
          // HOME and XDG_CACHE_HOME where no cache can be made: every run parses and validates
          // the configuration, and compiles the bundle without V8's code cache.
          ...foundation(['stacks', '--json'], { ...opts, env: { ...opts.env, HOME: NO_CACHE, XDG_CACHE_HOME: NO_CACHE } }, 'node bin/foundation.js stacks --json (no caches)'),
        ],
        notes: [
          `cwd: the repository root (${countStacks()} stacks), ENV=dev`,
          'the caches (configuration: src/config/cache.ts; compiled code: src/util/code-cache.ts) are filled by the warm-up runs, as by any earlier run of the same build on an unchanged project; the last row shows the cost without them',
        ],
        async teardown() {},
      };
    },
  },

  completion: {
    title: 'Completion: `foundation __complete` (what each Tab runs) against `node -e 0` and `--help`',
    async setup() {
      const opts = withCacheHome({ cwd: REPO_ROOT, env: benchEnv({}) }, 'this');
      // No --before twin: an older build has no __complete.
      const complete = (words, rowOpts = opts, suffix = '') => command(`node bin/foundation.js __complete bash ${words.join(' ')}${suffix}`, NODE, [CLI, '__complete', 'bash', ...words], rowOpts);
      return {
        commands: [
          command('node -e 0', NODE, ['-e', '0'], opts),
          command('node bin/foundation.js --help', NODE, [CLI, '--help'], opts),
          complete(['pl']),
          complete(['plan', 'a']),
          complete(['plan', 'a'], { ...opts, env: { ...opts.env, HOME: NO_CACHE, XDG_CACHE_HOME: NO_CACHE } }, ' (no caches)'),
        ],
        notes: [
          `cwd: the repository root (${countStacks()} stacks); \`pl\` needs only the command tree, \`plan a\` the stack names too (the configuration cache, src/config/cache.ts)`,
          'each row is what one Tab costs: bash runs `foundation __complete bash <words>` and waits for it; the last row parses foundation.yaml and the stack files and compiles without V8\'s code cache, as the first Tab after a change does (the parse part) or on a machine where no cache can be written',
        ],
        async teardown() {},
      };
    },
  },

  wrapper: {
    title: 'Wrapper overhead: `foundation plan hello` against the direct tofu `plan` it runs',
    setup: () =>
      withCleanup(async (cleanup) => {
        const { s3, dir, env } = await fixtureWithS3('basic', cleanup);
        // Once, untimed: writes the backend files and runs tofu init against s3rver.
        await timeRun(command('node bin/foundation.js init hello', NODE, [CLI, 'init', 'hello'], { cwd: dir, env }));

        // exit 2 = changes (the fixture's state is empty), 0 = none: both are a good plan.
        const okCodes = [0, 2];
        return {
          commands: [barePlan(path.join(dir, 'modules', 'hello'), dir, tofuEnv(env, s3), okCodes), ...foundation(['plan', 'hello'], { cwd: dir, env, okCodes })],
          notes: [
            'fixture: a copy of tests/fixtures/basic, initialized once with `foundation init hello` (untimed)',
            `backend: s3rver on ${s3.endpoint} in the benchmark's own process (use_lockfile: each plan writes and deletes a lock object)`,
            'stdout and stderr of every command are pipes (not a TTY), so foundation passes -no-color like the direct command',
          ],
        };
      }),
  },

  fleet: {
    title: 'Several stacks: `foundation plan --all` over the five fleet stacks against each single-stack plan',
    setup: () =>
      withCleanup(async (cleanup) => {
        const { dir, env } = await fixtureWithS3('fleet', cleanup);
        const okCodes = [0, 2];
        // Once, untimed: backend files and tofu init for all five stacks.
        await timeRun(command('node bin/foundation.js init --all', NODE, [CLI, 'init', '--all'], { cwd: dir, env }));
        const stacks = ['a1', 'a2', 'b1', 'b2', 'c'];
        return {
          commands: [
            command('node bin/foundation.js plan --all', NODE, [CLI, 'plan', '--all'], { cwd: dir, env, okCodes }),
            ...stacks.map((stack) => command(`node bin/foundation.js plan ${stack}`, NODE, [CLI, 'plan', stack], { cwd: dir, env, okCodes })),
          ],
          notes: [
            'fixture: a copy of tests/fixtures/fleet (a1 -> a2, b1 -> b2, a2 and b2 -> c), initialized once with `foundation init --all` (untimed)',
            `--parallelism defaults to the number of cores (${os.availableParallelism()}); plans of a stack wait for its dependencies' plans`,
          ],
          derive: (measured) => {
            const singles = measured.slice(1).map((m) => m.median);
            const sum = singles.reduce((a, b) => a + b, 0);
            const max = Math.max(...singles);
            const all = measured[0].median;
            return [
              `sum of the five single-stack medians: ${sum.toFixed(1)} ms; maximum: ${max.toFixed(1)} ms; \`plan --all\` median: ${all.toFixed(1)} ms (${((all / sum) * 100).toFixed(0)} % of the sum, ${(all / max).toFixed(2)}x the maximum)`,
              'the critical path is three plans deep (a1, a2, c), so the floor is about one process start plus three plans, not one plan',
            ];
          },
        };
      }),
  },

  guarded: {
    title: 'The drain guard: `foundation apply arc-runners` (drain, apply, restore) against the same apply with `--skip-drain`',
    setup: () =>
      withCleanup(async (cleanup) => {
        const { dir, env } = await fixtureWithS3('arc', cleanup);
        // A change on every run, so every timed apply drains and restores.
        writeFileSync(path.join(dir, 'stacks', 'arc-runners', 'bench.tf'), 'resource "terraform_data" "bench_change" {\n  input = timestamp()\n}\n');
        const support = await testSupport(['kube-api-server', 'helm-release', 'kubeconfig']);
        const server = await new support['kube-api-server'].KubeApiServer({ token: 'bench-guard-token' }).start();
        cleanup.push(() => server.stop());
        server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'arc-runners' } });
        for (const [name, min, max] of [['nix-baseline', 1, 10], ['docker-baseline', 2, 8], ['dind-baseline', 0, undefined]]) {
          support['helm-release'].addHelmManagedScaleSet(server, { namespace: 'arc-runners', name, min, max });
        }
        const kubeconfig = await support.kubeconfig.writeKubeconfig(server, { token: 'bench-guard-token', context: 'test-arc', dir });
        const guardEnv = { ...env, KUBECONFIG: kubeconfig, HELM_STAND_IN: path.join(REPO_ROOT, 'tests', 'support', 'helm-upgrade-stand-in.mjs'), FOUNDATION_ALLOW_SKIP_DRAIN: '1' };
        // Once, untimed: init and the first apply (which runs the Helm stand-in through kubectl).
        await timeRun(command('node bin/foundation.js apply arc-runners --auto-approve', NODE, [CLI, 'apply', 'arc-runners', '--auto-approve'], { cwd: dir, env: guardEnv }));
        const opts = { cwd: dir, env: guardEnv };
        return {
          commands: [
            ...foundation(['apply', 'arc-runners', '--auto-approve', '--skip-drain'], opts),
            ...foundation(['apply', 'arc-runners', '--auto-approve'], opts),
          ],
          notes: [
            'fixture: a copy of tests/fixtures/arc with one more `terraform_data` whose input is `timestamp()`, so every apply has a change and the guarded one drains',
            `the test Kubernetes API (tests/support/kube-api-server.ts, https on loopback, in the benchmark's process) with the three Helm-managed scale sets of the drain tests and no runners: the drain does not wait`,
            'a guarded apply: preflight (discovery, the scale sets), the Lease, one merge patch per scale set, one runner LIST, tofu apply, the restore (a LIST, the Helm release reads, one patch per set), the Lease release',
          ],
        };
      }),
  },

  large: {
    title: 'Wrapper on a large stack: `foundation plan big` (1,500 `terraform_data`) against the bare tofu plan',
    setup: () =>
      withCleanup(async (cleanup) => {
        const s3 = await startS3(cleanup);
        const dir = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-large-'));
        cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
        writeProject(dir, { big: { root: '../../modules/big', varFiles: ['dev.tfvars'] } });
        const root = path.join(dir, 'modules', 'big');
        mkdirSync(root, { recursive: true });
        // 1,500 instances in state; the plan changes 15 of them (and one output).
        writeFileSync(
          path.join(root, 'main.tf'),
          'variable "changed" {\n  type = number\n}\n\nresource "terraform_data" "r" {\n  count = 1500\n  input = count.index < var.changed ? "v2" : "v1"\n}\n\noutput "changed" {\n  value = var.changed\n}\n',
        );
        writeFileSync(path.join(root, 'dev.tfvars'), 'changed = 15\n');
        const env = s3Env(s3);
        await timeRun(command('node bin/foundation.js init big', NODE, [CLI, 'init', 'big'], { cwd: dir, env }));
        const directEnv = tofuEnv(env, s3);
        await timeRun(command('tofu apply', findTofu(env).path, ['apply', '-input=false', '-auto-approve', '-no-color', '-var=changed=0'], { cwd: root, env: directEnv }));
        const okCodes = [0, 2];
        const floor = floorPlans('floor: the same plan from a Node process', [root], 1, { cwd: dir, env: directEnv }, ['-var-file=dev.tfvars']);
        return {
          commands: [
            barePlan(root, dir, directEnv, okCodes),
            ...foundation(['plan', 'big'], { cwd: dir, env, okCodes }),
            // A fresh CI container: nothing cached yet (no configuration, no compiled code).
            ...foundation(['plan', 'big'], { cwd: dir, env: { ...env, HOME: NO_CACHE, XDG_CACHE_HOME: NO_CACHE }, okCodes }, 'node bin/foundation.js plan big (no caches)'),
            floor,
          ],
          notes: [
            'fixture: one stack whose root holds `terraform_data.r` with count = 1500, applied once (untimed); each plan refreshes all 1,500 and changes 15 and one output',
            'floor row: `node bench/bare-plans.js` runs the same plan with nothing around it but a Node process: the overhead any Node wrapper has on this machine',
            `backend: s3rver on ${s3.endpoint} in the benchmark's own process; the root was initialized once with \`foundation init big\` (untimed), and both rows plan in that same root against the same state`,
            'stdout and stderr of every command are pipes (not a TTY), so foundation passes -no-color like the direct command',
          ],
        };
      }),
  },

  chain: {
    title: 'A chain of plans: `foundation plan --all` over the four contract stacks against the slowest single-stack plan',
    setup: () =>
      withCleanup(async (cleanup) => {
        const s3 = await startS3(cleanup);
        const dir = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-chain-'));
        cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
        // The repository's own foundation.yaml and stack files (arc-runners -> attic ->
        // gitlab-runners -> runner-dashboard), each root a small probe module.
        cpSync(path.join(REPO_ROOT, 'foundation.yaml'), path.join(dir, 'foundation.yaml'));
        cpSync(path.join(REPO_ROOT, 'stacks'), path.join(dir, 'stacks'), { recursive: true });
        const stacks = readdirSync(path.join(dir, 'stacks')).sort();
        for (const stack of stacks) {
          const root = path.join(dir, 'tofu', 'stacks', stack);
          mkdirSync(root, { recursive: true });
          writeFileSync(path.join(root, 'main.tf'), `resource "terraform_data" "probe" {\n  input = "${stack}"\n}\n\noutput "probe" {\n  value = terraform_data.probe.output\n}\n`);
        }
        const env = s3Env(s3);
        await timeRun(command('node bin/foundation.js init --all', NODE, [CLI, 'init', '--all'], { cwd: dir, env }));
        const okCodes = [0, 2];
        const opts = { cwd: dir, env, okCodes };
        const all = foundation(['plan', '--all'], opts);
        // The floor: the same plans from a wrapper that costs nothing but Node's start
        // (bench/bare-plans.js), all four at foundation's default parallelism, and one.
        const cores = os.availableParallelism();
        const roots = stacks.map((stack) => path.join(dir, 'tofu', 'stacks', stack));
        const floorOpts = { cwd: dir, env: tofuEnv(env, s3) };
        const floor = [floorPlans(`floor: the ${stacks.length} plans, ${cores} at a time`, roots, cores, floorOpts), floorPlans(`floor: one plan (${stacks[0]})`, roots.slice(0, 1), cores, floorOpts)];
        return {
          commands: [...all, ...stacks.flatMap((stack) => foundation(['plan', stack], opts)), ...floor],
          notes: [
            `fixture: a copy of the repository's foundation.yaml and stacks/ (${stacks.join(', ')}: a chain), each root one \`terraform_data\` and one output, initialized once with \`foundation init --all\` (untimed)`,
            `--parallelism defaults to the number of cores (${cores})`,
            'floor rows: `node bench/bare-plans.js` runs the same tofu plans with nothing around them but a Node process; their ratio is what any wrapper gets on this machine',
          ],
          derive: (measured) => {
            const lines = [];
            const median = (label) => measured.find((m) => m.label === label).median;
            const floorAll = median(floor[0].label);
            const floorRatio = floorAll / median(floor[1].label);
            lines.push(`floor: the ${stacks.length} plans ${floorAll.toFixed(1)} ms, one plan ${median(floor[1].label).toFixed(1)} ms; ratio **${floorRatio.toFixed(2)}×** (the best any wrapper can show here)`);
            for (const suffix of BEFORE ? ['', ' (before)'] : ['']) {
              const allRow = median(`node bin/foundation.js plan --all${suffix}`);
              const ofBuild = (m) => m.label.startsWith('node bin/foundation.js') && m.label.endsWith(' (before)') === Boolean(suffix);
              const singles = measured.filter((m) => ofBuild(m) && !m.label.includes('--all'));
              const slowest = singles.reduce((a, b) => (b.median > a.median ? b : a));
              lines.push(`${suffix ? 'before' : 'this build'}: \`plan --all\` median ${allRow.toFixed(1)} ms; slowest single plan (\`${slowest.label}\`) ${slowest.median.toFixed(1)} ms; ratio **${(allRow / slowest.median).toFixed(2)}×**; \`plan --all\` / floor **${(allRow / floorAll).toFixed(2)}×**`);
            }
            return lines;
          },
        };
      }),
  },

  drift: {
    title: `Drift as a whole process: \`foundation drift\` over ${DRIFT_OBJECTS.toLocaleString('en')} live objects against \`kubectl get\` of the same kinds in the three namespaces`,
    setup: () =>
      withCleanup(async (cleanup) => {
        const cluster = await startBulkCluster(DRIFT_OBJECTS, log);
        cleanup.push(() => cluster.stop());
        const env = benchEnv({ ENV: 'dev', KUBECONFIG: cluster.kubeconfig });
        const opts = { cwd: cluster.project, env, memory: true };
        // By hand: one kubectl per namespace, one after the other, with a discovery cache of its own (filled by the warm-up).
        const kubectl = {
          label: `kubectl get ${RESOURCES.join(',')} -n <ns> -o json, for ${NAMESPACES.join(', ')} in turn`,
          memory: true,
          steps: NAMESPACES.map((ns) => ({ file: 'kubectl', args: ['--cache-dir', path.join(cluster.work, 'kube-cache'), 'get', RESOURCES.join(','), '-n', ns, '-o', 'json'], cwd: cluster.project, env, okCodes: [0] })),
        };
        return {
          commands: [kubectl, ...foundation(['drift', 'bulk', '--state-file', cluster.stateFile, '--json'], opts, 'node bin/foundation.js drift bulk --state-file <file> --json')],
          notes: [
            `${cluster.objects} objects: ${Object.entries(cluster.layout).map(([kind, spread]) => `${kind} ${NAMESPACES.map((ns) => spread[ns]).join('/')}`).join(', ')} (${NAMESPACES.join('/')}), each declared by a kubernetes_manifest in the state file and all in sync (stack \`bulk\` of tests/fixtures/drift)`,
            `the test Kubernetes API (tests/support/kube-api-server.ts) runs in the benchmark's own process over https on ${cluster.server.url}; both rows read through it, paged at 500 objects (kubectl's default chunk size and foundation's)`,
            'drift reads the state from a file (no S3), does discovery (3 GETs), one paged LIST per kind and namespace, compares every object and prints the JSON report; kubectl prints every object as JSON',
            'CPU and peak RSS from GNU time (%U + %S summed over the command\'s processes; %M, the largest resident set of any of them, the maximum over the timed runs); the API server\'s own work, in this process, is in neither',
          ],
          derive: (measured) => {
            const [byHand, ...builds] = measured;
            const cpu = (m) => (m.cpuMs && byHand.cpuMs ? `, CPU time ${(m.cpuMs.median / byHand.cpuMs.median).toFixed(2)}×` : '');
            return builds.map((m) => `\`${m.label}\` / kubectl by hand: wall time **${(m.median / byHand.median).toFixed(2)}×** (goal: at most 1.5×)${cpu(m)}; peak RSS ${mib(m.peakRssKiB?.max)} against kubectl's ${mib(byHand.peakRssKiB?.max)}`);
          },
        };
      }),
  },

  status: {
    title: 'Status: `foundation status --all` against `plan --all` and `drift --all` one after the other (issue 20)',
    setup: () =>
      withCleanup(async (cleanup) => {
        // tests/fixtures/status on s3rver and the test Kubernetes API, both in this process,
        // seeded as the tests seed it (tests/support/status-seed.ts), in the four states.
        const support = await loadStatusSupport();
        const { s3, dir, env: s3env } = await fixtureWithS3('status', cleanup);
        const server = await new support.KubeApiServer({ token: STATUS_TOKEN }).start();
        cleanup.push(() => server.stop());
        const kubeconfig = await support.writeKubeconfig(server, { token: STATUS_TOKEN, context: 'test-status', dir });
        const { PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
        const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
        await support.seedStatusProject(server, (key, body) => client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body })));
        client.destroy();
        // gitlab-runners: an object made by hand; runner-dashboard: a field edited by hand (and, below, repo changes)
        server.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hotfix', namespace: 'gitlab-runners' }, data: { PATCHED: 'by hand' } });
        const settings = structuredClone(server.get('v1', 'ConfigMap', 'runner-dashboard', 'settings'));
        settings.data.RELEASE = '1-hotfix';
        server.put(settings);
        const env = { ...s3env, KUBECONFIG: kubeconfig, ...support.installKubeProvider(dir, KUBE_PROVIDER), TF_VAR_changed: 'attic,runner-dashboard' };
        await timeRun(command('node bin/foundation.js init --all', NODE, [CLI, 'init', '--all'], { cwd: dir, env }));

        // No "(before)" twins: a build before issue 20 has no status command.
        const run = (args) => command(`node bin/foundation.js ${args.join(' ')}`, NODE, [CLI, ...args], withCacheHome({ cwd: dir, env }, 'this'));
        const [plan, drift, status] = [run(['plan', '--all']), run(['drift', '--all']), run(['status', '--all'])];
        const sequence = { label: 'plan --all, then drift --all (two processes)', steps: [...plan.steps, ...drift.steps] };
        return {
          commands: [sequence, plan, drift, status],
          notes: [
            'fixture: tests/fixtures/status (arc-runners -> attic -> gitlab-runners -> runner-dashboard), states in s3rver and live objects in the test Kubernetes API (tests/support/kube-api-server.ts) as tests/support/status-seed.ts seeds them, both in the benchmark\'s process; the kubernetes provider is the stand-in of tests/support/kube-provider; initialized once with `foundation init --all` (untimed)',
            'the four states: arc-runners in sync, attic changes pending (TF_VAR_changed), gitlab-runners drifted (an unmanaged ConfigMap), runner-dashboard both; every command exits 0 (no --detailed-exitcode)',
            `each plan runs the kubernetes provider stand-in (a Node process) beside terraform; --parallelism defaults to the number of cores (${os.availableParallelism()})`,
          ],
          derive: (measured) => {
            const median = (row) => measured.find((m) => m.label === row.label).median;
            const [both, alone, slower] = [median(sequence), median(status), Math.max(median(plan), median(drift))];
            const slowerLabel = median(plan) >= median(drift) ? '`plan --all`' : '`drift --all`';
            return [
              `\`status --all\` ${alone.toFixed(1)} ms / \`plan --all\` then \`drift --all\` ${both.toFixed(1)} ms = **${(alone / both).toFixed(2)}×** (goal ≤ 0.8×)`,
              `\`status --all\` / the slower of the two alone (${slowerLabel}, ${slower.toFixed(1)} ms) = **${(alone / slower).toFixed(2)}×** (goal ≤ 1.15×)`,
            ];
          },
        };
      }),
  },

  talosctl: {
    title: 'Talos: `foundation talosctl lab -- etcd members` and `foundation cluster bootstrap lab` (already bootstrapped) against the talosctl call they make',
    async setup() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-talos-'));
      const teardown = async () => rmSync(dir, { recursive: true, force: true });
      try {
        const project = path.join(dir, 'project');
        cpSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'talos'), project, { recursive: true });
        const state = path.join(dir, 'state');
        mkdirSync(state);
        const machine = (hostname, role, etcd) => ({ hostname, state: 'configured', role, etcd, clusterName: 'lab', memberId: '2c6e1ad3f0b45e7a', healthy: true });
        const nodes = { '192.0.2.11': machine('lab-cp-1', 'controlplane', true), '192.0.2.21': machine('lab-w-1', 'worker', false), '192.0.2.22': machine('lab-w-2', 'worker', false) };
        writeFileSync(path.join(state, 'lab.json'), JSON.stringify({ kube: { server: 'https://127.0.0.1:9', token: 'x' }, nodes }));
        const fake = path.join(REPO_ROOT, 'tests', 'support', 'fake-talosctl');
        const env = benchEnv({ ENV: 'lab', HOME: dir, FOUNDATION_TALOSCTL_BIN: fake, FAKE_TALOSCTL_STATE: state, FOUNDATION_LAB_TALOS_SECRETS: path.join(dir, 'lab-secrets.yaml') });
        const opts = { cwd: project, env };
        await runStep({ file: NODE, args: [CLI, 'cluster', 'config', 'lab', '--new-secrets'], cwd: project, env, okCodes: [0] }, 'cluster config');
        const talosconfig = path.join(project, '.foundation', 'clusters', 'lab', 'talosconfig');
        const members = ['etcd', 'members', '--talosconfig', talosconfig, '--endpoints', '192.0.2.11', '--nodes', '192.0.2.11'];
        return {
          commands: [
            command('fake-talosctl etcd members (direct)', fake, members, opts),
            command('foundation talosctl lab --node lab-cp-1 -- etcd members', NODE, [CLI, 'talosctl', 'lab', '--node', 'lab-cp-1', '--', 'etcd', 'members'], opts),
            command('foundation cluster bootstrap lab (members found, no bootstrap)', NODE, [CLI, 'cluster', 'bootstrap', 'lab'], opts),
          ],
          notes: ['talosctl is tests/support/fake-talosctl (a Node script): the overhead column is what foundation adds to one talosctl call (its startup, foundation.yaml, the argv)'],
          teardown,
        };
      } catch (error) {
        await teardown();
        throw error;
      }
    },
  },

  doctor: {
    title: 'doctor: `foundation doctor` against the version commands it runs and `stacks --json`',
    async setup() {
      const cleanup = [];
      const teardown = async () => {
        for (const step of cleanup.reverse()) await step();
      };
      try {
        const { dir, env } = await fixtureWithS3('basic', cleanup);
        // No cluster here: an empty kubeconfig, so both ENVs' contexts fail fast (exit 1).
        const kubeconfig = path.join(dir, 'kubeconfig');
        writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
        const doctorEnv = { ...env, KUBECONFIG: kubeconfig, PATH: `${path.join(REPO_ROOT, 'node_modules', '.bin')}${path.delimiter}${env.PATH}` };
        const tofu = findTofu(env);
        return {
          commands: [
            command('node bin/foundation.js stacks --json', NODE, [CLI, 'stacks', '--json'], { cwd: dir, env: doctorEnv }),
            command(`${tofu.name} version -json`, tofu.path, ['version', '-json'], { cwd: dir, env: doctorEnv }),
            command('kubectl version --client -o json', 'kubectl', ['version', '--client', '-o', 'json'], { cwd: dir, env: doctorEnv }),
            command('node bin/foundation.js doctor', NODE, [CLI, 'doctor'], { cwd: dir, env: doctorEnv, okCodes: [1] }),
          ],
          notes: [
            `fixture: a copy of tests/fixtures/basic; s3rver in the benchmark's own process (versioning reads as off; If-None-Match ignored, so the probe warns)`,
            'doctor runs tofu version -json, kubectl, talosctl (absent here) and just --version in parallel with HeadBucket, GetBucketVersioning, two probe PUTs and the probe DELETE',
            'exit 1 is expected: the kubeconfig is empty, so the contexts test-dev and test-staging are missing',
          ],
          teardown,
        };
      } catch (error) {
        await teardown();
        throw error;
      }
    },
  },

  imports: {
    title: 'Imports: the cost of each runtime dependency foundation loads, against `node -e 0`',
    async setup() {
      const opts = { cwd: REPO_ROOT, env: benchEnv({}) };
      // A bare specifier in `node -e` resolves from the cwd: the repository's node_modules.
      const load = (spec) => command(`node -e "import('${spec}')"`, NODE, ['-e', `import(${JSON.stringify(spec)})`], opts);
      return {
        commands: [command('node -e 0', NODE, ['-e', '0'], opts), ...IMPORTED.map(load)],
        notes: [
          'commander loads on every run; yaml and valibot when a command reads foundation.yaml; execa where foundation runs a child (tofu, git); @aws-sdk/client-s3 for the bucket probe (HeadBucket) before tofu runs; listr2 for the live task list of a several-stack run in a terminal',
          'each row is a fresh process importing one package: its cold load time is the overhead',
        ],
        async teardown() {},
      };
    },
  },
  roadmap: {
    title: 'Roadmap: `foundation roadmap --offline` (a docs build) and the import of @gitbeaker/rest (a live run), against `node -e 0`',
    async setup() {
      const opts = { cwd: REPO_ROOT, env: benchEnv({}) };
      const snapshot = path.join('examples', 'roadmap', 'snapshot.json');
      return {
        commands: [
          command('node -e 0', NODE, ['-e', '0'], opts),
          command(`node bin/foundation.js roadmap --offline ${snapshot} --markdown`, NODE, [CLI, 'roadmap', '--offline', snapshot, '--markdown'], opts),
          command(`node bin/foundation.js roadmap --offline ${snapshot}`, NODE, [CLI, 'roadmap', '--offline', snapshot], opts),
          command('node -e "import(\'@gitbeaker/rest\')"', NODE, ['-e', 'import("@gitbeaker/rest")'], opts),
        ],
        notes: [
          'the snapshot is the six-phase test roadmap (152 issues) saved with --json; --offline reads no GitLab and no cluster, so it loads neither client',
          'a live run adds the @gitbeaker/rest import (last row) and @kubernetes/client-node (the imports scenario) to the GitLab and cluster round trips, which depend on the network',
        ],
        async teardown() {},
      };
    },
  },
};

/** The runtime dependencies src/ imports (package.json also lists chalk; src/ did not import it when this was written). */
const IMPORTED = ['commander', 'yaml', 'valibot', 'execa', '@aws-sdk/client-s3', 'listr2', '@kubernetes/client-node'];

// ---------------------------------------------------------------------------------------

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      before: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.before) {
    BEFORE = path.resolve(values.before);
    if (!existsSync(BEFORE)) throw new Error(`--before: ${BEFORE} does not exist (give the bin/foundation.js of another build)`);
  }
  if (values.help) {
    process.stdout.write(`usage: node bench/run.js [${Object.keys(scenarios).join('|')} ...] [--runs N] [--warmup N] [--before <other build's bin/foundation.js>] [--json]\n`);
    return;
  }
  const runs = positiveInt(values.runs, '--runs');
  const warmup = positiveInt(values.warmup, '--warmup', { allowZero: true });
  const names = positionals.length ? positionals : Object.keys(scenarios);
  const unknown = names.filter((name) => !Object.hasOwn(scenarios, name));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);
  if (!existsSync(BUILT)) throw new Error('dist/cli.cjs is missing: run `npm run build` first');

  const stale = staleBuild();
  if (stale) log(`bench: warning: ${stale}`);
  const machine = await machineInfo();
  const results = [];
  for (const name of names) {
    const scenario = scenarios[name];
    log(`\n== ${name}: ${scenario.title}`);
    const { commands, notes = [], derive, teardown } = await scenario.setup();
    try {
      const measured = await measure(commands, { runs, warmup });
      results.push({ name, title: scenario.title, notes: [...notes, ...(derive ? derive(measured) : [])], commands: measured });
    } finally {
      await teardown();
    }
  }

  for (const dir of Object.values(CACHE_HOMES)) rmSync(dir, { recursive: true, force: true });
  machine.loadAfter = loadAverage();
  const invocation = invocationLine();
  const report = { invocation, machine, runs, warmup, stale, results };
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(renderMarkdown(report));
}

/**
 * Untimed warm-up runs of each command, then `runs` timed rounds. Each round runs every
 * command once, round-robin, starting one command further each round, so that drift and
 * noise on the machine (and any order effect) fall on all commands alike.
 */
async function measure(commands, { runs, warmup }) {
  for (let i = 0; i < warmup; i++) {
    for (const cmd of commands) await timeRun(cmd);
  }
  const samples = commands.map(() => []);
  const peaks = commands.map(() => []);
  const cpu = commands.map(() => []);
  const codes = commands.map(() => ({}));
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < commands.length; k++) {
      const index = (round + k) % commands.length;
      const { ms, code, peakKiB, cpuMs } = await timeRun(commands[index]);
      samples[index].push(ms);
      if (peakKiB !== undefined) peaks[index].push(peakKiB);
      if (cpuMs !== undefined) cpu[index].push(cpuMs);
      codes[index][code] = (codes[index][code] ?? 0) + 1;
    }
    log(`  round ${round + 1}/${runs}: ${commands.map((c, i) => `${samples[i].at(-1).toFixed(0)} ms`).join(' | ')}`);
  }
  return commands.map((cmd, i) => ({
    label: cmd.label,
    exitCodes: codes[i],
    samples: samples[i].map(round2),
    ...stats(samples[i]),
    ...(peaks[i].length ? { peakRssKiB: { median: stats(peaks[i]).median, max: Math.max(...peaks[i]) } } : {}),
    ...(cpu[i].length ? { cpuMs: { median: stats(cpu[i]).median, min: stats(cpu[i]).min } } : {}),
  }));
}

/**
 * Wall time of a command: from the spawn of its (first) process to the close of the output
 * pipes of its (last). `code` is the exit code, or the codes joined by "/" for a sequence.
 * A command with `memory` runs each step under GNU time (when /usr/bin/time is there):
 * `peakKiB` is the largest maximum resident set size of its steps, `cpuMs` the CPU time
 * (user + system) of them all, which load on the machine disturbs less than wall time.
 */
async function timeRun(cmd) {
  const start = performance.now();
  const codes = [];
  let peakKiB;
  let cpuMs;
  for (const step of cmd.steps) {
    const { code, usage } = await runStep(step, cmd.label, cmd.memory && existsSync(GNU_TIME));
    codes.push(code);
    if (usage) {
      peakKiB = Math.max(peakKiB ?? 0, usage.maxRssKiB);
      cpuMs = (cpuMs ?? 0) + usage.cpuMs;
    }
  }
  return { ms: performance.now() - start, code: codes.join('/'), peakKiB, cpuMs };
}

const GNU_TIME = '/usr/bin/time';

function runStep(step, label, measureMemory = false) {
  return new Promise((resolve, reject) => {
    if (interrupted) return reject(new Error(`interrupted by ${interrupted}`));
    const tails = { stdout: '', stderr: '' };
    const rssFile = measureMemory ? path.join(os.tmpdir(), `foundation-bench-rss-${process.pid}`) : undefined;
    const [file, args] = rssFile ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, step.file, ...step.args]] : [step.file, step.args];
    const child = spawn(file, args, { cwd: step.cwd, env: step.env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of ['stdout', 'stderr']) {
      child[stream].setEncoding('utf8');
      child[stream].on('data', (text) => {
        tails[stream] = (tails[stream] + text).slice(-4000);
      });
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (step.okCodes.includes(code)) {
        if (!rssFile) return resolve({ code });
        const [maxRssKiB, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        rmSync(rssFile, { force: true });
        return resolve({ code, usage: { maxRssKiB, cpuMs: (user + system) * 1000 } });
      }
      const what = `${path.basename(step.file)} ${step.args.join(' ')}`;
      reject(new Error(`\`${label}\`: \`${what}\` (cwd ${step.cwd}) failed: ${signal ? `signal ${signal}` : `exit ${code}`}\n--- stdout (tail)\n${tails.stdout}\n--- stderr (tail)\n${tails.stderr}`));
    });
  });
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  // nearest-rank percentile
  const p90 = sorted[Math.min(n - 1, Math.ceil(0.9 * n) - 1)];
  return { n, median: round2(median), min: round2(sorted[0]), p90: round2(p90), max: round2(sorted[n - 1]) };
}

// ---------------------------------------------------------------------------------------

/**
 * The machine's environment without anything that would change foundation's behaviour
 * from outside (as tests/support/cli.ts does), plus `extra`. CHECKPOINT_DISABLE keeps
 * terraform off the network; the SDK warning flag is the one the tests set too.
 */
function benchEnv(extra) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(TOFU_BACKEND_|AWS_|KUBE|GITHUB_)/.test(name) || ['ENV', 'CI', 'RUNNER_NAME'].includes(name)) delete env[name];
    // FOUNDATION_TOFU_BIN is kept: it picks the binary of both sides of the comparison.
    if (name.startsWith('FOUNDATION_') && name !== 'FOUNDATION_TOFU_BIN') delete env[name];
    if (name.startsWith('npm_')) delete env[name];
  }
  return { ...env, CHECKPOINT_DISABLE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

/** Files of tests/support (without `.ts`), bundled for this process and imported by name. */
function testSupport(names) {
  const entries = Object.fromEntries(names.map((name) => [name, path.join('tests', 'support', `${name}.ts`)]));
  return bundleModules(REPO_ROOT, entries, path.join(REPO_ROOT, 'bench', '.work', 'test-support'));
}

/** The binary foundation would run (src/tofu/binary.ts): FOUNDATION_TOFU_BIN, else tofu, else terraform on PATH. */
function findTofu(env) {
  const candidates = env.FOUNDATION_TOFU_BIN ? [env.FOUNDATION_TOFU_BIN] : ['tofu', 'terraform'];
  for (const name of candidates) {
    const dirs = name.includes('/') ? [''] : (env.PATH ?? '').split(path.delimiter).filter(Boolean);
    for (const dir of dirs) {
      const file = path.resolve(dir, name);
      try {
        if (statSync(file).isFile()) {
          accessSync(file, constants.X_OK);
          return { path: file, name: path.basename(file) };
        }
      } catch {
        // not here
      }
    }
  }
  throw new Error('neither tofu nor terraform is on PATH (or FOUNDATION_TOFU_BIN is not executable)');
}

const STATUS_TOKEN = 'bench-status-token';
const KUBE_PROVIDER = path.join(REPO_ROOT, 'tests', 'support', 'kube-provider', 'terraform-provider-kubernetes.mjs');

/** The test Kubernetes API and the status fixture's seeding (TypeScript under tests/support), bundled for this process. */
async function loadStatusSupport() {
  const loaded = await testSupport(['kube-api-server', 'kubeconfig', 'kube-provider', 'status-seed']);
  return { KubeApiServer: loaded['kube-api-server'].KubeApiServer, writeKubeconfig: loaded.kubeconfig.writeKubeconfig, installKubeProvider: loaded['kube-provider'].installKubeProvider, seedStatusProject: loaded['status-seed'].seedStatusProject };
}

/** A temp copy of tests/fixtures/<name> and an s3rver for it, with the environment foundation reads (ENV=dev). */
async function fixtureWithS3(name, cleanup) {
  const s3 = await startS3(cleanup);
  const dir = mkdtempSync(path.join(os.tmpdir(), `foundation-bench-${name}-`));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(REPO_ROOT, 'tests', 'fixtures', name), dir, { recursive: true });
  return { s3, dir, env: s3Env(s3) };
}

/**
 * Exactly the plan foundation runs for a stack with `-var-file=dev.tfvars` (its argv checked
 * against a recording FOUNDATION_TOFU_BIN), run directly in the stack's initialized root.
 */
function barePlan(root, dir, env, okCodes) {
  const tofu = findTofu(env);
  return command(
    `${tofu.name} plan -input=false -detailed-exitcode -out=<tmp> -var-file=dev.tfvars -no-color`,
    tofu.path,
    ['plan', '-input=false', '-detailed-exitcode', `-out=${path.join(dir, 'direct.tfplan')}`, '-var-file=dev.tfvars', '-no-color'],
    { cwd: root, env, okCodes },
  );
}

/**
 * The floor of a plan comparison: `bench/bare-plans.js` runs foundation's plan in each root,
 * `parallelism` at a time, from a Node process that does nothing else (`extra`: more tofu arguments).
 */
function floorPlans(label, roots, parallelism, { cwd, env }, extra = []) {
  return command(label, NODE, [BARE_PLANS, findTofu(env).path, String(parallelism), ...roots, ...(extra.length ? ['--', ...extra] : [])], { cwd, env, okCodes: [0] });
}

/** A project folder with foundation.yaml (ENV dev) and one stacks/<name>/stack.yaml per entry. */
function writeProject(dir, stacks) {
  writeFileSync(path.join(dir, 'foundation.yaml'), 'environments:\n  dev:\n    kubeContext: bench\n');
  for (const [name, { root, varFiles = [] }] of Object.entries(stacks)) {
    mkdirSync(path.join(dir, 'stacks', name), { recursive: true });
    const vars = varFiles.length ? `varFiles:\n  dev: [${varFiles.join(', ')}]\n` : '';
    writeFileSync(path.join(dir, 'stacks', name, 'stack.yaml'), `description: bench\nnamespaces: [${name}]\nroot: ${root}\nstate:\n  keyTemplate: "{env}/{stack}/terraform.tfstate"\n${vars}`);
  }
}

/** The environment foundation reads for an s3rver (ENV=dev). */
function s3Env(s3) {
  return benchEnv({
    ENV: 'dev',
    TOFU_BACKEND_S3_ENDPOINT: s3.endpoint,
    TOFU_BACKEND_S3_BUCKET: s3.bucket,
    TOFU_BACKEND_S3_ACCESS_KEY: s3.accessKeyId,
    TOFU_BACKEND_S3_SECRET_KEY: s3.secretAccessKey,
  });
}

/** The environment foundation gives its tofu child (src/tofu/child-env.ts): the backend secrets as AWS_* only. */
function tofuEnv(env, s3) {
  const { TOFU_BACKEND_S3_ACCESS_KEY, TOFU_BACKEND_S3_SECRET_KEY, ...rest } = env;
  return { ...rest, AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
}

/** A HOME / XDG_CACHE_HOME under which no cache folder can be made. */
const NO_CACHE = '/nonexistent/foundation-bench-no-cache';

/** s3rver on a loopback port, in this process, with one bucket (as tests/support/s3.ts). */
async function startS3(cleanup) {
  const S3rver = require('s3rver');
  const directory = mkdtempSync(path.join(os.tmpdir(), 'foundation-bench-s3-'));
  cleanup.push(() => rmSync(directory, { recursive: true, force: true }));
  const bucket = 'state';
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  cleanup.push(() => server.close());
  return { endpoint: `http://127.0.0.1:${port}`, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
}

async function machineInfo() {
  const cpus = os.cpus();
  let tofu = 'not found';
  try {
    const found = findTofu(benchEnv({}));
    const out = await capture(found.path, ['version', '-json'], benchEnv({}));
    const version = JSON.parse(out).terraform_version;
    tofu = `${found.name} ${version} (${found.path})`;
  } catch (error) {
    tofu = `unknown (${error.message.split('\n')[0]})`;
  }
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: round2(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tofu,
    // Other work on the machine shows up as noise (a wide min..p90): recorded to judge it.
    loadBefore: loadAverage(),
  };
}

const loadAverage = () => os.loadavg().map((n) => n.toFixed(2)).join(' / ');

/** dist/ is what bin/foundation.js runs: say so when a source file is newer than the build. */
function staleBuild() {
  const built = statSync(BUILT).mtimeMs;
  const newer = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && statSync(full).mtimeMs > built) newer.push(path.relative(REPO_ROOT, full));
    }
  };
  walk(path.join(REPO_ROOT, 'src'));
  return newer.length ? `dist/ is older than ${newer.join(', ')}: run \`npm run build\` to measure the current source` : undefined;
}

function capture(file, args, env) {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => (out += text));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')}: exit ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------

function renderMarkdown({ invocation, machine, runs, warmup, stale, results }) {
  const lines = [
    `Command: \`${invocation}\` (${warmup} untimed warm-up runs, then ${runs} timed runs per command, round-robin)`,
    '',
    `- Date: ${machine.date}`,
    `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB`,
    `- OS: ${machine.os}`,
    `- Node: ${machine.node}`,
    `- tofu: ${machine.tofu}`,
    `- Load average (1 / 5 / 15 min): ${machine.loadBefore} before, ${machine.loadAfter} after`,
  ];
  if (stale) lines.push(`- Warning: ${stale}`);
  for (const result of results) {
    const [baseline] = result.commands;
    lines.push('', `### ${result.title}`, '');
    for (const note of result.notes) lines.push(`- ${note}`);
    if (result.notes.length) lines.push('');
    const memory = result.commands.some((cmd) => cmd.peakRssKiB);
    lines.push(
      `| Command | Runs | Median (ms) | Min (ms) | p90 (ms) | Exit codes | Overhead vs baseline (median − median) |${memory ? ' CPU, user + system (ms, median) | Peak RSS (MiB) |' : ''}`,
      `| --- | ---: | ---: | ---: | ---: | --- | ---: |${memory ? ' ---: | ---: |' : ''}`,
    );
    for (const cmd of result.commands) {
      const overhead = cmd === baseline ? 'baseline' : `${signed(cmd.median - baseline.median)} ms (×${(cmd.median / baseline.median).toFixed(2)})`;
      const codes = Object.entries(cmd.exitCodes).map(([code, count]) => `${code}×${count}`).join(', ');
      lines.push(`| \`${cmd.label}\` | ${cmd.n} | ${cmd.median.toFixed(1)} | ${cmd.min.toFixed(1)} | ${cmd.p90.toFixed(1)} | ${codes} | ${overhead} |${memory ? ` ${cmd.cpuMs ? cmd.cpuMs.median.toFixed(0) : '-'} | ${mib(cmd.peakRssKiB?.max)} |` : ''}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function invocationLine() {
  const args = process.argv.slice(2).join(' ');
  if (process.env.npm_lifecycle_event === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node bench/run.js${args ? ` ${args}` : ''}`;
}

function countStacks() {
  try {
    return readdirSync(path.join(REPO_ROOT, 'stacks')).length;
  } catch {
    return 0;
  }
}

function positiveInt(text, flag, { allowZero = false } = {}) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} integer, got "${text}"`);
  return n;
}

const round2 = (n) => Math.round(n * 100) / 100;
const mib = (kib) => (kib === undefined ? '-' : `${(kib / 1024).toFixed(0)} MiB`);
const signed = (n) => `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)}`;
const log = (text) => process.stderr.write(`${text}\n`);

try {
  await main();
} catch (error) {
  log(`bench: ${error.message}`);
  process.exitCode = 1;
}

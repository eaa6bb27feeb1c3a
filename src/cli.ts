import { fileURLToPath } from 'node:url';
import { Argument, Command, Option } from 'commander';
import type { GlobalOptions } from './config/global-options.js';
import { SHELLS } from './completion/scripts.js';
import { buildInfo } from './util/build-info.js';
import { requireWithCodeCache } from './util/code-cache.js';

type App = typeof import('./app.js');

/** dist/app.cjs (see app.ts), next to this bundle; `variant` names the command, for its code cache. */
function loadApp(variant: string): App {
  return requireWithCodeCache<App>(fileURLToPath(new URL('./app.cjs', import.meta.url)), variant);
}

const program = new Command('foundation')
  .description('Operator CLI for the platform team\'s OpenTofu stacks on Kubernetes')
  .version(buildInfo.version, '-V, --version', 'print the version')
  .addOption(new Option('--env <name>', 'environment (default: $ENV)'))
  .addOption(new Option('--context <name>', 'kube context (default: $KUBE_CONTEXT, then the stack/environment)'))
  .option('--debug', 'print stack traces on errors')
  .option('--no-color', 'plain output, no ANSI colours')
  .showHelpAfterError("hint: run 'foundation help <command>' for usage")
  .configureOutput({ outputError: (text, write) => write(text) })
  // Every command's help lists --env, --context and the other global options too.
  .configureHelp({ showGlobalOptions: true });

const EXIT_CODES = 'Exit codes: 0 success, 1 error (bad input, tofu failed, interrupted), 3 refused by a guard.';
const DURATION_FORMAT = 'a whole number with ms, s, m or h, e.g. 90s, 30m, 1h';

/** Each command's module is loaded only when that command runs, so --help stays light. */
function action<A extends unknown[]>(load: (app: App) => Promise<{ run: (global: GlobalOptions, ...args: A) => Promise<number | void> }>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const global = command.optsWithGlobals() as GlobalOptions;
    const app = loadApp(commandPath(command));
    const { run } = await load(app);
    const go = async () => (await run(global, ...(args.slice(0, -1) as A))) ?? 0;
    // Run commands leave their --json / --report-file report even when they fail before the stacks run.
    if (!['init', 'plan', 'apply'].includes(command.name())) process.exitCode = await go();
    else process.exitCode = await (await app.withFailureReport())(command.name(), global, command.opts(), go);
  };
}

/** "state-key" for `foundation state key`. */
function commandPath(command: Command): string {
  return command.parent?.parent ? `${commandPath(command.parent)}-${command.name()}` : command.name();
}

/** --only a,b --only c: repeatable, comma-separated. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Selecting stacks: names, --all, or filters. */
function withSelection(command: Command): Command {
  return command
    .argument('[stacks...]', 'stack names')
    .option('--all', 'every stack deployed in the ENV')
    .option('--only <glob>', 'only stacks whose name matches (repeatable, comma-separated)', collect)
    .option('--exclude <glob>', 'leave out stacks whose name matches (repeatable, comma-separated)', collect)
    .option('--changed-since <ref>', 'stacks whose files changed since a git ref, plus their dependents');
}

/** Running tofu over the selection. */
/** The drain guard's durations, on apply and on drain; each overrides the stack's apply.drain value. */
function withDrainDurations(command: Command): Command {
  return command
    .option('--drain-timeout <duration>', `how long to wait for busy ARC runners: ${DURATION_FORMAT} (default: apply.drain.timeout)`)
    .option('--lease-wait <duration>', 'how long to wait for another run\'s drain Lease to expire (default: a little over its duration)')
    .option('--restore-budget <duration>', 'how long restoring the scale sets retries an API that fails before naming those left at 0/0 (default: apply.drain.restoreBudget, 5m)')
    .option('--api-outage <duration>', 'how long the wait for busy runners rides out an API that does not answer (default: apply.drain.apiOutage, 3m)');
}

function withRunOptions(command: Command, parallelismDefault: string): Command {
  return withSelection(command)
    .option('--parallelism <n>', `stacks at once (default: ${parallelismDefault})`)
    .option('--fail-fast', 'stop starting stacks after the first failure')
    .option('--report-file <file>', 'write the run\'s result as JSON (checked before anything runs)')
    .option('--json', 'print the run report as JSON (tofu output goes to stderr)')
    .option('--wait', 'when another foundation run in this checkout holds a stack, wait for it instead of failing');
}

program
  .command('stacks')
  .description('list the stacks in dependency order with namespaces, state keys and roots')
  .option('--all', 'every stack deployed in the ENV (the default without filters)')
  .option('--only <glob>', 'only stacks whose name matches (repeatable, comma-separated)', collect)
  .option('--exclude <glob>', 'leave out stacks whose name matches (repeatable, comma-separated)', collect)
  .option('--changed-since <ref>', 'stacks whose files changed since a git ref, plus their dependents')
  .option('--json', 'machine-readable output')
  .option('--matrix', 'with --json: a GitHub Actions matrix, one job per stack')
  .action(action((app) => app.commands['stacks']()));

program
  .command('graph')
  .description('the stack dependency graph')
  .option('--json', 'machine-readable output')
  .option('--dot', 'Graphviz dot')
  .action(action((app) => app.commands['graph']()));

const state = program.command('state').description('state helpers: key, lock, unlock, versions, pull, restore, migrate');
state
  .command('key')
  .description('print the resolved S3 state key of a stack, alone on stdout')
  .argument('<stack>', 'stack name')
  .action(action((app) => app.commands['state-key']()));
state
  .command('lock')
  .description('show the stack\'s state lock (the <key>.tflock object): ID, who, operation, age; exit 1 when there is none')
  .argument('<stack>', 'stack name')
  .option('--json', 'machine-readable output')
  .action(action((app) => app.commands['state-lock']()));
state
  .command('unlock')
  .description('release a state lock left behind by a run that is gone (tofu force-unlock), after a confirmation')
  .argument('<stack>', 'stack name')
  .option('--force', 'no confirmation; also for a lock younger than 5 minutes, and in CI')
  .action(action((app) => app.commands['state-unlock']()));

state
  .command('versions')
  .description('list the versions of a stack\'s state (needs bucket versioning): time, size, serial, lineage, version id')
  .argument('<stack>', 'stack name')
  .option('--json', 'machine-readable output')
  .action(action((app) => app.commands['state-versions']()));

state
  .command('pull')
  .description('print a stack\'s state, the latest or one version (legacy stacks: from GitLab)')
  .argument('<stack>', 'stack name')
  .option('--version-id <id>', 'an earlier version (see "state versions"); not --version, which prints foundation\'s')
  .option('--out <file>', 'write it to a file (mode 0600: states hold secrets) instead of stdout')
  .action(action((app) => app.commands['state-pull']()));

state
  .command('restore')
  .description('write an earlier version of the state back as a new version (same lineage only; asks first)')
  .argument('<stack>', 'stack name')
  .requiredOption('--version-id <id>', 'the version to restore (see "state versions")')
  .option('--yes', 'restore without asking')
  .option('--json', 'print the result as JSON')
  .action(action((app) => app.commands['state-restore']()));

state
  .command('migrate')
  .description('move a stack\'s state from GitLab-managed HTTP state to S3 and prove it (lineage, serial, resources, plan)')
  .argument('<stack>', 'stack name')
  .requiredOption('--from <backend>', 'gitlab-http')
  .requiredOption('--to <backend>', 's3')
  .option('--json', 'print the evidence as JSON')
  .action(action((app) => app.commands['state-migrate']()));

program
  .command('doctor')
  .description('check binaries, variables, the S3 bucket (credentials, versioning, conditional writes) and kube contexts; exit 1 on any fail')
  .option('--json', 'machine-readable output')
  .action(action((app) => app.commands['doctor']()));

withSelection(
  program
    .command('backend')
    .description('S3 backend files')
    .command('materialize')
    .description('write <root>/backend.s3.tfbackend (and the backend block when the root declares none)'),
).action(action((app) => app.commands['backend-materialize']()));

withRunOptions(
  program.command('init').description('tofu init against the S3 backend, skipped when already initialized the same way'),
  'the number of cores',
)
  .option('--force', 'run init even when the stack is initialized already')
  .option('--legacy', 'the stack\'s state is on GitLab (backend gitlab-http, compatibility only): init tofu\'s http backend')
  .action(action((app) => app.commands['init']()));

withRunOptions(
  program.command('plan').description('init when needed, then plan into saved plan files'),
  'the number of cores',
)
  .option('--out <file>', 'plan file for one stack (default .foundation/plans/<env>/<stack>.tfplan)')
  .option('--detailed-exitcode', 'exit 2 when there are changes, as tofu plan -detailed-exitcode does')
  .action(action((app) => app.commands['plan']()));

const apply = withRunOptions(program.command('apply').description('plan, show every summary, ask once, apply in dependency order'), '1')
  .option('--plan <file>', 'apply this saved plan file (one stack)')
  .option('--saved-plans', 'apply the plans a previous "foundation plan" saved')
  .option('--auto-approve', 'plan and apply without asking')
  .option('--skip-drain', 'apply without draining the ARC scale sets (loud; refused in CI unless FOUNDATION_ALLOW_SKIP_DRAIN=1)');
withDrainDurations(apply).action(action((app) => app.commands['apply']()));

/** Help of drift's subcommands: drift's own options are not theirs, so only the program's show as global. */
const PROGRAM_OPTIONS_ONLY = { showGlobalOptions: true, visibleGlobalOptions: () => program.options.filter((o) => !o.hidden) };

const drift = withSelection(
  program.command('drift').description('compare each stack\'s OpenTofu state with the live cluster; exit 0 ran, 1 error (2 drift with --detailed-exitcode)'),
)
  .option('--state-file <file>', 'read the state from this file instead of the S3 backend (one stack)')
  .option('--detailed-exitcode', 'exit 2 when anything drifted (accepted fields do not count)')
  .option('--json', 'machine-readable report')
  .option('--markdown', 'the report as markdown (also appended to $GITHUB_STEP_SUMMARY when set)')
  .action(action((app) => app.commands['drift']()));

// The program reads options anywhere on the line, so `drift accept ... --json` sets drift's
// --json: hand each such option to the subcommand that has it too, and refuse the others.
drift.hook('preSubcommand', (parent, sub) => {
  for (const option of parent.options) {
    const key = option.attributeName();
    if (parent.getOptionValueSource(key) !== 'cli') continue;
    if (!sub.options.some((o) => o.attributeName() === key)) sub.error(`error: unknown option '${option.long}'`);
    sub.setOptionValueWithSource(key, parent.getOptionValue(key), 'cli');
    parent.setOptionValueWithSource(key, undefined, 'default');
  }
});

drift
  .command('accept')
  .description('accept drifted fields of a managed object for a bounded time (an annotation on the object, one PATCH); --clear removes an acceptance')
  .argument('<stack>', 'the stack whose state manages the object')
  .argument('<object>', '<kind>/<namespace>/<name>, e.g. Deployment/web/api (kind.group when two groups share a kind)')
  .option('--path <pointer>', 'a field to accept, as a JSON Pointer such as /spec/replicas (repeatable; default: every field that drifts now)', (value: string, previous: string[] = []) => [...previous, value])
  .option('--for <duration>', 'how long: 90s, 30m, 4h, 2d (at most 30d)')
  .option('--until <time>', 'until an RFC 3339 time with a zone, at most 30 days ahead')
  .option('--reason <text>', 'why the drift may stay (required)')
  .option('--clear', 'remove the acceptance of the --path fields, or all of the object\'s')
  .option('--state-file <file>', 'read the state from this file instead of the S3 backend')
  .option('--json', 'print the acceptance written as JSON')
  .configureHelp(PROGRAM_OPTIONS_ONLY)
  .action(action((app) => app.commands['drift-accept']()));

withSelection(drift.command('accepted').description('list the acceptances on the selected stacks\' objects: fields, who, why, until when, and whether they ran out'))
  .option('--state-file <file>', 'read the state from this file instead of the S3 backend (one stack)')
  .option('--json', 'machine-readable list')
  .configureHelp(PROGRAM_OPTIONS_ONLY)
  .action(action((app) => app.commands['drift-accepted']()));

withSelection(
  program.command('status').description(
    'where each stack stands: plan (repo -> state) and drift (state -> live) at once, the state object, its locks and guards; exit 0 ran, 1 error (2 not in sync with --detailed-exitcode)',
  ),
)
  .option('--parallelism <n>', 'plans at once (default: the number of cores)')
  .option('--detailed-exitcode', 'exit 2 when any stack has changes pending or drifted')
  .option('--json', 'machine-readable report: every field of the plan and drift reports')
  .option('--markdown', 'the report as markdown (also appended to $GITHUB_STEP_SUMMARY when set)')
  .addHelpText(
    'after',
    '\nThe plans never block anyone: tofu plan -lock=false -refresh=false (repo against the state as recorded; the\nlive cluster is the drift column), no plan file kept, no run lock taken. Verdicts: in sync, changes pending,\ndrifted, both, error.',
  )
  .action(action((app) => app.commands['status']()));

const drain = program
  .command('drain')
  .description('drain a stack\'s ARC scale sets by hand, show their state, or restore them after a crash')
  .argument('<stack>', 'stack name')
  .option('--status', 'caps, runners, busy runners and any recorded drain per scale set')
  .option('--restore', 'put back the recorded caps (after a crashed apply or a manual drain)')
  .option('--json', 'with --status: machine-readable output');
withDrainDurations(drain).action(action((app) => app.commands['drain']()));

// ---- Talos clusters (foundation.yaml clusters:) and tools pinned to them ----
const cluster = program.command('cluster').description('the Talos clusters foundation.yaml defines: configs, apply, bootstrap, health, kubeconfig, status');

cluster
  .command('config')
  .description('talosctl gen config from the secrets bundle into .foundation/clusters/<cluster>/ (0600)')
  .argument('<cluster>', 'cluster name')
  .option('--new-secrets', 'create the secrets bundle first (only when none exists: a brand-new cluster)')
  .action(action((app) => app.commands['cluster-config']()));

cluster
  .command('apply')
  .description('talosctl apply-config on each node (or --node) with the config for its role')
  .argument('<cluster>', 'cluster name')
  .option('--node <node>', 'only this node (address or name)')
  .option('--insecure', 'for machines still in maintenance mode')
  .option('--dry-run', 'show the change Talos reports, apply nothing')
  .action(action((app) => app.commands['cluster-apply']()));

cluster
  .command('bootstrap')
  .description('bootstrap etcd on the first control-plane node, once: exit 0 without calling it when etcd has members')
  .argument('<cluster>', 'cluster name')
  .action(action((app) => app.commands['cluster-bootstrap']()));

cluster
  .command('health')
  .description('talosctl health with a wait timeout; exit 0 healthy, 1 not')
  .argument('<cluster>', 'cluster name')
  .option('--wait <duration>', 'how long talosctl waits for the checks to pass', '10m')
  .option('--json', 'machine-readable summary (progress still goes to stderr)')
  .action(action((app) => app.commands['cluster-health']()));

cluster
  .command('kubeconfig')
  .description('fetch the admin kubeconfig and merge it under the context foundation.yaml names')
  .argument('<cluster>', 'cluster name')
  .option('--output <file>', 'merge into this file instead of $KUBECONFIG or ~/.kube/config')
  .action(action((app) => app.commands['cluster-kubeconfig']()));

cluster
  .command('status')
  .description('nodes, Kubernetes API and workload readiness; exit 0 all ready, 1 otherwise')
  .argument('<cluster>', 'cluster name')
  .option('--json', 'machine-readable output')
  .action(action((app) => app.commands['cluster-status']()));

program
  .command('kubectl')
  .description('the real kubectl pinned to a stack\'s context and namespace, or a cluster\'s context: foundation kubectl <stack> -- <args>')
  .argument('[stack-and-args...]', 'a stack name, then -- and kubectl\'s arguments')
  .option('--cluster <cluster>', 'aim at a cluster from foundation.yaml instead of a stack')
  .action(action((app) => app.commands['kubectl']()));

program
  .command('talosctl')
  .description('the real talosctl with --talosconfig, --endpoints and --nodes from foundation.yaml: foundation talosctl <cluster> -- <args>')
  .argument('[cluster-and-args...]', 'a cluster name, then -- and talosctl\'s arguments')
  .option('--node <node>', 'only this node (address or name) instead of all of the cluster\'s')
  .action(action((app) => app.commands['talosctl']()));

program
  .command('roadmap')
  .description('the Foundation roadmap: phases from foundation.yaml, progress from GitLab group milestones, the exit proof from the cluster')
  .option('--json', 'machine-readable output (a snapshot --offline can render)')
  .option('--markdown', 'a page for the group\'s docs site')
  .option('--mermaid', 'the dependency graph with progress, as a Mermaid flowchart')
  .option('--offline <file>', 'render a snapshot saved with --json instead of reading GitLab and the cluster')
  .action(action((app) => app.commands['roadmap']()));

program
  .command('completion')
  .description('print the shell completion script: source <(foundation completion bash); zsh and fish alike')
  .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
  .action(action((app) => app.commands['completion']()));

program
  .command('version')
  .description('foundation\'s version, build commit, Node and tofu (which binary, its version), for bug reports')
  .option('--json', 'machine-readable output')
  .action(action((app) => app.commands['version']()));

// The pinned tools end with the tool's own exit code.
const PASSTHROUGH_EXIT_CODES = (tool: string) =>
  `Exit codes: ${tool}'s own; 1 when foundation cannot start it (bad input), 3 when an argument would aim it elsewhere.`;

/** Exit codes in every command's help; 2 only for a command with --detailed-exitcode (plan, drift, status), and only with it. */
function addExitCodes(command: Command): void {
  for (const sub of command.commands) {
    const detailed = sub.options.some((o) => o.long === '--detailed-exitcode');
    const passthrough = command === program && (sub.name() === 'kubectl' || sub.name() === 'talosctl');
    const text = passthrough
      ? PASSTHROUGH_EXIT_CODES(sub.name())
      : detailed
        ? `Exit codes: 0 success, 2 changes or drift (only with --detailed-exitcode; without it they exit 0), 1 error, 3 refused by a guard.`
        : EXIT_CODES;
    if (sub.commands.length === 0 || sub.name() === 'drift') sub.addHelpText('after', `\n${text}`);
    addExitCodes(sub);
  }
}
addExitCodes(program);
program.addHelpText('after', `\n${EXIT_CODES} plan and drift --detailed-exitcode: 2 means changes or drift.`);

// `foundation __complete <shell> <words...>`: what the completion scripts run on each Tab
// (completion/complete.ts). Not a commander command: commander would take the words being
// completed for options of its own, and usage errors would land in the operator's prompt.
if (process.argv[2] === '__complete') void loadApp('complete').complete().then((print) => print(program, process.argv.slice(3)));
// A CommonJS bundle has no top-level await.
else program.parseAsync(process.argv).catch(async (error: unknown) => {
  const { debug, color } = program.opts<{ debug?: boolean; color?: boolean }>();
  // Loaded only on an error: chalk is not needed on the way to a successful run.
  const reportError = await loadApp('error').reportError();
  process.exitCode = reportError(error, { debug: Boolean(debug), color: color !== false });
});

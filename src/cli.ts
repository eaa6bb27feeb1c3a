import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { GlobalOptions } from './commands/options.js';
import { reportError } from './ui/report-error.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('foundation')
  .description('Operator CLI for the platform team\'s OpenTofu stacks on Kubernetes')
  .version(version, '-V, --version', 'print the version')
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

/** Each command's module is imported only when that command runs, so --help stays light. */
function action<A extends unknown[]>(load: () => Promise<{ run: (global: GlobalOptions, ...args: A) => Promise<number | void> }>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const global = command.optsWithGlobals() as GlobalOptions;
    const { run } = await load();
    const go = async () => (await run(global, ...(args.slice(0, -1) as A))) ?? 0;
    // Run commands leave their --json / --report-file report even when they fail before the stacks run.
    if (!['init', 'plan', 'apply'].includes(command.name())) process.exitCode = await go();
    else {
      const { withFailureReport } = await import('./orchestrate/failed-run.js');
      process.exitCode = await withFailureReport(command.name(), global, command.opts(), go);
    }
  };
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
  .action(action(() => import('./commands/stacks.js')));

program
  .command('graph')
  .description('the stack dependency graph')
  .option('--json', 'machine-readable output')
  .option('--dot', 'Graphviz dot')
  .action(action(() => import('./commands/graph.js')));

const state = program.command('state').description('state key and state lock of a stack');
state
  .command('key')
  .description('print the resolved S3 state key of a stack, alone on stdout')
  .argument('<stack>', 'stack name')
  .action(action(() => import('./commands/state-key.js')));
state
  .command('lock')
  .description('show the stack\'s state lock (the <key>.tflock object): ID, who, operation, age; exit 1 when there is none')
  .argument('<stack>', 'stack name')
  .option('--json', 'machine-readable output')
  .action(action(() => import('./commands/state-lock.js')));
state
  .command('unlock')
  .description('release a state lock left behind by a run that is gone (tofu force-unlock), after a confirmation')
  .argument('<stack>', 'stack name')
  .option('--force', 'no confirmation; also for a lock younger than 5 minutes, and in CI')
  .action(action(() => import('./commands/state-unlock.js')));

withSelection(
  program
    .command('backend')
    .description('S3 backend files')
    .command('materialize')
    .description('write <root>/backend.s3.tfbackend (and the backend block when the root declares none)'),
).action(action(() => import('./commands/backend-materialize.js')));

withRunOptions(
  program.command('init').description('tofu init against the S3 backend, skipped when already initialized the same way'),
  'the number of cores',
)
  .option('--force', 'run init even when the stack is initialized already')
  .action(action(() => import('./commands/init.js')));

withRunOptions(
  program.command('plan').description('init when needed, then plan into saved plan files'),
  'the number of cores',
)
  .option('--out <file>', 'plan file for one stack (default .foundation/plans/<env>/<stack>.tfplan)')
  .option('--detailed-exitcode', 'exit 2 when there are changes, as tofu plan -detailed-exitcode does')
  .action(action(() => import('./commands/plan.js')));

withRunOptions(program.command('apply').description('plan, show every summary, ask once, apply in dependency order'), '1')
  .option('--plan <file>', 'apply this saved plan file (one stack)')
  .option('--saved-plans', 'apply the plans a previous "foundation plan" saved')
  .option('--auto-approve', 'plan and apply without asking')
  .option('--drain-timeout <duration>', `how long to wait for busy ARC runners: ${DURATION_FORMAT} (default: apply.drain.timeout)`)
  .option('--skip-drain', 'apply without draining the ARC scale sets (loud; refused in CI unless FOUNDATION_ALLOW_SKIP_DRAIN=1)')
  .action(action(() => import('./commands/apply.js')));

program
  .command('drain')
  .description('drain a stack\'s ARC scale sets by hand, show their state, or restore them after a crash')
  .argument('<stack>', 'stack name')
  .option('--status', 'caps, runners, busy runners and any recorded drain per scale set')
  .option('--restore', 'put back the recorded caps (after a crashed apply or a manual drain)')
  .option('--drain-timeout <duration>', `how long to wait for busy runners: ${DURATION_FORMAT} (default: apply.drain.timeout)`)
  .option('--json', 'with --status: machine-readable output')
  .action(action(() => import('./commands/drain.js')));

/** Exit codes in every command's help; 2 only for a command with --detailed-exitcode (plan, drift), and only with it. */
function addExitCodes(command: Command): void {
  for (const sub of command.commands) {
    const detailed = sub.options.some((o) => o.long === '--detailed-exitcode');
    const text = detailed ? `Exit codes: 0 success, 2 changes (only with --detailed-exitcode; without it changes exit 0), 1 error, 3 refused by a guard.` : EXIT_CODES;
    if (sub.commands.length === 0) sub.addHelpText('after', `\n${text}`);
    addExitCodes(sub);
  }
}
addExitCodes(program);
program.addHelpText('after', `\n${EXIT_CODES} plan --detailed-exitcode: 2 means changes.`);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { debug, color } = program.opts<{ debug?: boolean; color?: boolean }>();
  process.exitCode = reportError(error, { debug: Boolean(debug), color: color !== false });
}

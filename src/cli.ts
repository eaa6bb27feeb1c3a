import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { GlobalOptions } from './commands/options.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('foundation')
  .description('Operator CLI for the platform team\'s OpenTofu stacks on Kubernetes')
  .version(version, '--version', 'print the version')
  .addOption(new Option('--env <name>', 'environment (default: $ENV)'))
  .addOption(new Option('--context <name>', 'kube context (default: $KUBE_CONTEXT, then the stack/environment)'))
  .option('--debug', 'print stack traces on errors')
  .option('--no-color', 'plain output, no ANSI colours')
  .showHelpAfterError("hint: run 'foundation help <command>' for usage")
  .configureOutput({ outputError: (text, write) => write(text) });

/** Each command's module is imported only when that command runs, so --help stays light. */
function action<A extends unknown[]>(load: () => Promise<{ run: (global: GlobalOptions, ...args: A) => Promise<number | void> }>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const global = command.optsWithGlobals() as GlobalOptions;
    const { run } = await load();
    const code = await run(global, ...(args.slice(0, -1) as A));
    process.exitCode = code ?? 0;
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
    .option('--report-file <file>', 'write the run\'s result as JSON')
    .option('--json', 'print the run report as JSON (tofu output goes to stderr)');
}

program
  .command('stacks')
  .description('list the stacks in dependency order with namespaces, state keys and roots')
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

program
  .command('state')
  .description('state key helpers')
  .command('key')
  .description('print the resolved S3 state key of a stack, alone on stdout')
  .argument('<stack>', 'stack name')
  .action(action(() => import('./commands/state-key.js')));

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
  program.command('plan').description('init when needed, then plan into saved plan files; exit 0 no changes, 2 changes, 1 error, 3 refused'),
  'the number of cores',
)
  .option('--out <file>', 'plan file for one stack (default .foundation/plans/<env>/<stack>.tfplan)')
  .action(action(() => import('./commands/plan.js')));

withRunOptions(program.command('apply').description('plan, show every summary, ask once, apply in dependency order'), '1')
  .option('--plan <file>', 'apply this saved plan file (one stack)')
  .option('--saved-plans', 'apply the plans a previous "foundation plan" saved')
  .option('--auto-approve', 'plan and apply without asking')
  .option('--drain-timeout <duration>', 'how long to wait for busy ARC runners (default: apply.drain.timeout)')
  .option('--skip-drain', 'apply without draining the ARC scale sets (loud; refused in CI unless FOUNDATION_ALLOW_SKIP_DRAIN=1)')
  .action(action(() => import('./commands/apply.js')));

program
  .command('drain')
  .description('drain a stack\'s ARC scale sets by hand, show their state, or restore them after a crash')
  .argument('<stack>', 'stack name')
  .option('--status', 'caps, runners, busy runners and any recorded drain per scale set')
  .option('--restore', 'put back the recorded caps (after a crashed apply or a manual drain)')
  .option('--drain-timeout <duration>', 'how long to wait for busy runners (default: apply.drain.timeout)')
  .option('--json', 'with --status: machine-readable output')
  .action(action(() => import('./commands/drain.js')));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const { debug, color } = program.opts<{ debug?: boolean; color?: boolean }>();
  // Imported only on an error: chalk is not needed on the way to a successful run.
  const { reportError } = await import('./ui/report-error.js');
  process.exitCode = reportError(error, { debug: Boolean(debug), color: color !== false });
}

import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { GlobalOptions } from './commands/options.js';
import { reportError } from './ui/report-error.js';

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

program
  .command('stacks')
  .description('list the stacks in dependency order with namespaces, state keys and roots')
  .option('--json', 'machine-readable output')
  .action(action(() => import('./commands/stacks.js')));

program
  .command('state')
  .description('state key helpers')
  .command('key')
  .description('print the resolved S3 state key of a stack, alone on stdout')
  .argument('<stack>', 'stack name')
  .action(action(() => import('./commands/state-key.js')));

program
  .command('backend')
  .description('S3 backend files')
  .command('materialize')
  .description('write <root>/backend.s3.tfbackend (and the backend block when the root declares none)')
  .argument('[stacks...]', 'stack names')
  .option('--all', 'every stack')
  .action(action(() => import('./commands/backend-materialize.js')));

program
  .command('init')
  .description('tofu init against the S3 backend, skipped when already initialized the same way')
  .argument('<stack>', 'stack name')
  .option('--force', 'run init even when the stack is initialized already')
  .option('--json', 'machine-readable result')
  .action(action(() => import('./commands/init.js')));

program
  .command('plan')
  .description('init when needed, then plan into a saved plan file; exit 0 no changes, 2 changes, 1 error')
  .argument('<stack>', 'stack name')
  .option('--out <file>', 'plan file (default .foundation/plans/<env>/<stack>.tfplan)')
  .option('--json', 'print the summary as JSON (tofu output goes to stderr)')
  .action(action(() => import('./commands/plan.js')));

program
  .command('apply')
  .description('apply a saved plan, or plan and apply with confirmation')
  .argument('<stack>', 'stack name')
  .option('--plan <file>', 'apply this saved plan file')
  .option('--auto-approve', 'plan and apply without asking')
  .option('--json', 'print the result as JSON (tofu output goes to stderr)')
  .action(action(() => import('./commands/apply.js')));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, Boolean(program.opts().debug));
}

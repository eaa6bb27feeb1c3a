import { availableParallelism } from 'node:os';
import type { BackendFiles } from '../backends/materialize.js';
import { probeBucket } from '../backends/s3-probe.js';
import type { GlobalOptions } from '../config/global-options.js';
import type { Stack } from '../config/project.js';
import { loadProject } from '../config/load.js';
import { resolveEnv } from '../config/resolve.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { checkReportFile } from '../ui/report-file.js';
import { blockView, liveView } from '../ui/run-view.js';
import { refusal, type Command } from './guards.js';
import { acquireRunLocks } from './run-lock.js';
import { loadRunContext, type RunContext } from './run-context.js';
import type { StackResult } from './report.js';
import type { RunView } from './scheduler.js';
import { selectStacks, type Selection } from './select.js';
import { initReason, prepareStack } from './stack-workflow.js';

export interface RunOptions extends Selection {
  json?: boolean;
  parallelism?: string;
  failFast?: boolean;
  reportFile?: string;
  /** Wait for another run holding a stack's run lock instead of failing. */
  wait?: boolean;
}

export interface PreparedRun {
  ctx: RunContext;
  stacks: Stack[];
  /** Backend files of the stacks that will run (not of refused ones). */
  files: Map<string, BackendFiles>;
  /** Stacks refused by a guard before anything ran. */
  refused: Map<string, Omit<StackResult, 'stack'>>;
  /** Stacks at once: --parallelism, else the number of cores for init and plan, one for apply. */
  parallelism: number;
  /** A fresh view for one pass over the stacks (apply makes two: plan, then apply). */
  view(command: string): Promise<RunView>;
}

/**
 * The checks every tofu-running command makes before it writes anything: the report
 * file, selection, ENV, guards, backend variables, the tofu binary, each root module,
 * one probe of the bucket; then the run locks of the stacks (released at exit) unless
 * `runLocks` is false.
 */
export async function prepareRun(
  global: GlobalOptions,
  names: string[],
  options: RunOptions,
  command: Command,
  { runLocks = true }: { runLocks?: boolean } = {},
): Promise<PreparedRun> {
  installSignalHandlers();
  checkReportFile(options.reportFile);
  const parallelism = parallelismFrom(options.parallelism, command === 'apply' ? 1 : availableParallelism());
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const { stacks, notDeployed } = await selectStacks(project, { ...options, names }, env);
  if (notDeployed.length > 0) printErr(`note: left out, not deployed in ENV ${env}: ${notDeployed.join(', ')}`);
  if (stacks.length === 0) throw new FoundationError('the selection matches no stack', 'loosen --only/--exclude, or check --changed-since: no stack files changed');
  const ctx = loadRunContext(global, project);
  const refused = new Map<string, Omit<StackResult, 'stack'>>();
  const files = new Map<string, BackendFiles>();
  for (const stack of stacks) {
    const refusedOutcome = refusal(stack, env, command, { ci: ctx.ci });
    if (refusedOutcome) refused.set(stack.name, refusedOutcome);
    else files.set(stack.name, prepareStack(ctx, stack));
  }
  // The bucket probe (the AWS SDK, ~130 ms) only where tofu init may run: init retries a bad
  // endpoint for minutes. A root initialized against the same backend needs none; tofu's own
  // backend error is mapped to one line instead (stack-workflow.ts).
  const initializing = command === 'init' || stacks.some((stack) => files.has(stack.name) && initReason(stack, files.get(stack.name)!));
  if (initializing) await probeBucket(ctx.location, ctx.credentials, ctx.backendEnv);
  // Last of the checks, first of the effects: from here this run owns its stacks in this checkout
  // (status owns none: it writes no plan file and must not block a run).
  if (runLocks) await acquireRunLocks(project.dir, env, [...files.keys()], { command: `foundation ${command} ${[...files.keys()].join(' ')}`, wait: options.wait });
  // Tofu output and progress: stderr under --json, so stdout stays one JSON document.
  const stream = options.json ? process.stderr : process.stdout;
  return {
    ctx,
    stacks,
    files,
    refused,
    parallelism,
    view: async (pass) => {
      if (stacks.length === 1) return liveView(stream);
      if (stream.isTTY && !ctx.ci) {
        const { taskListView } = await import('../ui/task-list-view.js');
        return taskListView(stacks, stream, pass);
      }
      return blockView(stream, pass, { githubGroups: process.env.GITHUB_ACTIONS === 'true' });
    },
  };
}

function parallelismFrom(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new FoundationError(`--parallelism must be a whole number of at least 1, not "${value}"`, 'e.g. --parallelism 4');
  return n;
}

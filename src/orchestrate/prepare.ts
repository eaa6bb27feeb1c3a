import type { BackendFiles } from '../backends/materialize.js';
import { probeBucket } from '../backends/s3-probe.js';
import type { GlobalOptions } from '../commands/options.js';
import type { Stack } from '../config/load.js';
import { loadProject } from '../config/load.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { loadRunContext, type RunContext } from './run-context.js';
import { selectStacks } from './select.js';
import { prepareStack, type OutputSink } from './stack-workflow.js';

export interface PreparedRun {
  ctx: RunContext;
  stacks: Stack[];
  files: Map<string, BackendFiles>;
  /** Where tofu output goes: stderr under --json so stdout stays one JSON document. */
  write: OutputSink;
}

/**
 * The checks every tofu-running command makes before it writes anything: stacks, ENV,
 * backend variables, the tofu binary, each root module, then one probe of the bucket.
 */
export async function prepareRun(global: GlobalOptions, names: string[], { all, json }: { all?: boolean; json?: boolean }): Promise<PreparedRun> {
  installSignalHandlers();
  const project = loadProject();
  const stacks = selectStacks(project, names, { all });
  const ctx = loadRunContext(global, project);
  const files = new Map(stacks.map((stack) => [stack.name, prepareStack(ctx, stack)]));
  await probeBucket(ctx.location, ctx.credentials, ctx.backendEnv);
  const stream = json ? process.stderr : process.stdout;
  return { ctx, stacks, files, write: (text) => stream.write(text) };
}

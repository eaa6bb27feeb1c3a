import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readStackState } from '../backends/s3-state.js';
import { backendEnvNames, readS3Settings } from '../backends/s3-settings.js';
import type { GlobalOptions } from '../commands/options.js';
import type { Project, Stack } from '../config/load.js';
import { loadProject } from '../config/load.js';
import { kubeContextFor, requireStateKey, resolveEnv } from '../config/resolve.js';
import { connectKube, type KubeClient } from '../kube/client.js';
import { aggregateExitCode } from '../orchestrate/report.js';
import { selectStacks, type Selection } from '../orchestrate/select.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { registerSecret } from '../ui/redact.js';
import { LiveReader } from './live.js';
import type { DriftReport, StackDriftReport } from './report.js';
import { compareStack } from './stack-drift.js';
import { parseState, type StateInstance } from './state.js';

export interface DriftOptions extends Omit<Selection, 'names'> {
  stateFile?: string;
  detailedExitcode?: boolean;
}

/**
 * Drift for every selected stack, one after another: state (S3 or --state-file), then
 * the live objects through the stack's kube context. A stack that fails is reported
 * and the others still run; the exit code follows the multi-stack rule.
 */
export async function runDrift(global: GlobalOptions, names: string[], options: DriftOptions): Promise<DriftReport> {
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const { stacks } = await selectStacks(project, { ...options, names }, env);
  if (options.stateFile && stacks.length !== 1) {
    throw new FoundationError('--state-file takes exactly one named stack', 'name the one stack whose state the file holds');
  }
  const readState = options.stateFile ? localStateReader(options.stateFile) : s3StateReader(project, env);
  const clients = new Map<string, Promise<KubeClient>>();
  const results: StackDriftReport[] = [];
  for (const stack of stacks) {
    try {
      const { text, source } = await readState(stack);
      const instances = parseState(text, source);
      registerStateSecrets(instances);
      const context = kubeContextFor(project, stack, env, global.context);
      if (!clients.has(context)) clients.set(context, connectKube(context));
      const client = await clients.get(context)!;
      const result = await compareStack(instances, new LiveReader(client), { namespaces: stack.spec.namespaces, rules: stack.spec.drift?.ignore ?? [] });
      const exitCode = result.drifted && options.detailedExitcode ? EXIT.changes : EXIT.ok;
      results.push({ stack: stack.name, status: result.drifted ? 'drifted' : 'in-sync', exitCode, state: source, context, ...result });
    } catch (error) {
      if (!(error instanceof FoundationError)) throw error;
      results.push({ stack: stack.name, status: 'failed', exitCode: EXIT.error, error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } });
    }
  }
  return { command: 'drift', env, exitCode: aggregateExitCode(results.map((r) => r.exitCode)), stacks: results };
}

type StateReader = (stack: Stack) => Promise<{ text: string; source: string }>;

function localStateReader(file: string): StateReader {
  const full = path.resolve(file);
  return async () => {
    if (!existsSync(full)) throw new FoundationError(`state file ${file} does not exist`, 'pass the path of a state file ("tofu state pull > state.json" writes one)');
    return { text: readFileSync(full, 'utf8'), source: file };
  };
}

function s3StateReader(project: Project, env: string): StateReader {
  const { location, credentials } = readS3Settings(project, env, { credentials: true });
  const names = backendEnvNames(project, env);
  return async (stack) => {
    const key = requireStateKey(stack, env);
    return { text: await readStackState(location, credentials!, names, key), source: `s3://${location.bucket}/${key}` };
  };
}

/** Secret values the state holds in plain text are masked wherever they might be printed. */
function registerStateSecrets(instances: StateInstance[]): void {
  for (const { type, attributes } of instances) {
    if (!type.startsWith('kubernetes_secret')) continue;
    for (const value of Object.values((attributes.data ?? {}) as Record<string, unknown>)) registerSecret(String(value));
  }
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readStackState } from '../state/s3-state.js';
import { backendEnvNames, readS3Settings } from '../backends/s3-settings.js';
import type { GlobalOptions } from '../config/global-options.js';
import type { Project, Stack } from '../config/project.js';
import { loadProject } from '../config/load.js';
import { kubeContextFor, requireStateKey, resolveEnv } from '../config/resolve.js';
import { connectKube, type KubeClient } from '../kube/client.js';
import { aggregateExitCode } from '../orchestrate/report.js';
import { selectStacks, type Selection } from '../orchestrate/select.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { registerSecret } from '../ui/redact.js';
import { LiveReader } from './live.js';
import type { DriftReport, StackDriftReport } from './report.js';
import { compareStack, type CompareOptions, type StackDriftResult } from './stack-drift.js';
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
  const session = driftSession(project, env, global, options.stateFile);
  const results: StackDriftReport[] = [];
  for (const stack of stacks) {
    try {
      const { result, source, context } = await session.compare(stack);
      const exitCode = result.drifted && options.detailedExitcode ? EXIT.changes : EXIT.ok;
      results.push({ stack: stack.name, status: result.drifted ? 'drifted' : 'in-sync', exitCode, state: source, context, ...result });
    } catch (error) {
      if (!(error instanceof FoundationError)) throw error;
      results.push({ stack: stack.name, status: 'failed', exitCode: EXIT.error, error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } });
    }
  }
  return { command: 'drift', env, exitCode: aggregateExitCode(results.map((r) => r.exitCode)), stacks: results };
}

/** One stack's comparison, with the client and reader it used (`drift accept` writes through them). */
export interface StackComparison {
  result: StackDriftResult;
  source: string;
  context: string;
  client: KubeClient;
  reader: LiveReader;
}

/**
 * Compares stacks of one project and ENV: the state reader is made once (S3 settings
 * and credentials, or the --state-file), and one client per kube context is shared.
 */
export function driftSession(project: Project, env: string, global: GlobalOptions, stateFile?: string) {
  const readState = stateFile ? localStateReader(stateFile) : s3StateReader(project, env);
  const clients = new Map<string, Promise<KubeClient>>();
  return {
    async compare(stack: Stack, hooks: Pick<CompareOptions, 'found'> = {}): Promise<StackComparison> {
      const { text, source } = await readState(stack);
      const instances = parseState(text, source);
      registerStateSecrets(instances);
      const context = kubeContextFor(project, stack, env, global.context);
      if (!clients.has(context)) clients.set(context, connectKube(context));
      const client = await clients.get(context)!;
      const reader = new LiveReader(client);
      const result = await compareStack(instances, reader, { namespaces: stack.spec.namespaces, rules: stack.spec.drift?.ignore ?? [], ...hooks });
      return { result, source, context, client, reader };
    },
  };
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

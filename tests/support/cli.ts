import { execa, type ResultPromise } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(REPO_ROOT, 'bin', 'foundation.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment the built CLI runs with in tests: the machine's, without anything
 * that would change its behaviour from outside the test (ENV, CI, backend variables).
 */
export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(TOFU_BACKEND_|FOUNDATION_|AWS_|KUBE|GITHUB_|GITLAB_)/.test(name) || ['ENV', 'CI', 'RUNNER_NAME'].includes(name)) delete env[name];
  }
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

/** Runs `node bin/foundation.js ...args` to completion. */
export async function runCli(args: string[], { cwd, env = {} }: { cwd: string; env?: Record<string, string | undefined> }): Promise<CliResult> {
  const result = await spawnCli(args, { cwd, env });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Starts the CLI without waiting, for signal tests. */
export function spawnCli(args: string[], { cwd, env = {} }: { cwd: string; env?: Record<string, string | undefined> }): ResultPromise<{ reject: false; extendEnv: false; stdin: 'ignore'; stripFinalNewline: false }> {
  return execa(process.execPath, [CLI, ...args], { cwd, env: baseEnv(env), extendEnv: false, reject: false, stdin: 'ignore', stripFinalNewline: false }) as never;
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { backendKindFor, legacyNotice } from '../backends/backend-kind.js';
import { gitlabBackendFiles, gitlabStateLocation, readGitlabCredentials, withGitlabCredentials, type GitlabCredentials } from '../backends/gitlab-http.js';
import { writeBackendFiles, type BackendFiles } from '../backends/materialize.js';
import { backendEnvNames } from '../backends/s3-settings.js';
import type { GlobalOptions } from '../config/global-options.js';
import type { Project, Stack } from '../config/project.js';
import { loadProject } from '../config/load.js';
import { requireStack, resolveEnv } from '../config/resolve.js';
import { findTofuBinary, type TofuBinary } from '../tofu/binary.js';
import { tofuChildEnv } from '../tofu/child-env.js';
import { initNeeded } from '../tofu/init-state.js';
import { runTofu } from '../tofu/process.js';
import { callsModules, rootModuleFiles } from '../tofu/root-module.js';
import { installSignalHandlers } from '../tofu/signals.js';
import { FoundationError } from '../ui/errors.js';
import { isCI, printErr } from '../ui/output.js';
import type { InitOutcome } from '../orchestrate/report.js';
import type { OutputSink } from '../ui/stack-io.js';

/**
 * Whether `foundation init` should take the legacy path: one named stack whose state, in
 * this ENV, is on GitLab. With --legacy the stack must be one (the justfile's
 * tofu-init-gitlab-legacy recipe says so).
 */
export function wantsLegacyInit(global: GlobalOptions, names: string[], { legacy }: { legacy?: boolean }): boolean {
  if (!legacy && names.length !== 1) return false;
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  if (legacy && names.length !== 1) throw new FoundationError('--legacy takes exactly one named stack', 'e.g. foundation init --legacy gitlab-runners');
  const stack = requireStack(project, names[0]!);
  const kind = backendKindFor(stack, env);
  if (legacy && kind !== 'gitlab-http') {
    throw new FoundationError(`stack "${stack.name}" keeps its state on S3 in ENV ${env}, not on GitLab`, `run "foundation init ${stack.name}" (just tofu-init ${stack.name}) for the S3 backend`);
  }
  return kind === 'gitlab-http';
}

/** The tofu environment for the http backend: the caller's, less S3 secrets, plus TF_HTTP_* credentials. */
export function legacyChildEnv(project: Project, env: string, credentials: GitlabCredentials, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const names = backendEnvNames(project, env);
  const child = withGitlabCredentials(tofuChildEnv(base, undefined, { ci: isCI(), secretVarNames: [names.accessKey, names.secretKey] }), credentials);
  child.TF_PLUGIN_CACHE_DIR ||= path.join(project.dir, '.foundation', 'plugin-cache');
  return child;
}

export interface LegacyInit {
  stack: Stack;
  env: string;
  files: BackendFiles;
  init: InitOutcome;
}

/** tofu init against GitLab's Terraform state API; skipped when initialized the same way already. */
export async function initLegacy(
  global: GlobalOptions,
  name: string,
  { force = false, write }: { force?: boolean; write: OutputSink },
): Promise<LegacyInit> {
  installSignalHandlers();
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const stack = requireStack(project, name);
  printErr(legacyNotice(stack.name));
  const location = gitlabStateLocation(stack, env);
  const credentials = readGitlabCredentials();
  const tofu = findTofuBinary();
  const files = gitlabBackendFiles(stack, env, location);
  const init = await runLegacyInit({ project, stack, env, tofu, files, credentials, force, color: global.color !== false && !isCI() && Boolean(process.stdout.isTTY), write });
  return { stack, env, files, init };
}

export async function runLegacyInit(run: {
  project: Project;
  stack: Stack;
  env: string;
  tofu: TofuBinary;
  files: BackendFiles;
  credentials: GitlabCredentials;
  force?: boolean;
  color: boolean;
  write: OutputSink;
}): Promise<InitOutcome> {
  const { stack, files } = run;
  writeBackendFiles(files);
  const needed = run.force ? 'forced' : initNeeded(stack.rootDir, files.config, { callsModules: callsModules(stack, rootModuleFiles(stack)), type: 'http' });
  if (!needed) return { ran: false, reason: 'already initialized against the same backend' };
  const env = legacyChildEnv(run.project, run.env, run.credentials);
  mkdirSync(env.TF_PLUGIN_CACHE_DIR!, { recursive: true, mode: 0o700 }); // tofu ignores a cache folder that does not exist
  const args = ['init', '-input=false', '-reconfigure', `-backend-config=${path.basename(files.backendFile)}`, ...(run.color ? [] : ['-no-color'])];
  const code = await runTofu({ tofu: run.tofu, cwd: stack.rootDir, env, args }, run.write);
  if (code !== 0) throw new FoundationError(`tofu init against the GitLab state failed for stack "${stack.name}" (exit ${code})`, 'read the tofu output above; check gitlab.project / gitlab.stateName and the token');
  return { ran: true, reason: needed };
}

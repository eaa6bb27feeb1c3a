import path from 'node:path';
import { backendKindFor, legacyNotice } from '../backends/backend-kind.js';
import { gitlabStateLocation, readGitlabCredentials } from '../backends/gitlab-http.js';
import { fetchGitlabState } from '../state/gitlab-state-api.js';
import { openStackState, pullState } from '../state/versions.js';
import { loadProject } from '../config/load.js';
import { requireStack, resolveEnv } from '../config/resolve.js';
import { FoundationError } from '../ui/errors.js';
import { printErr } from '../ui/output.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { GlobalOptions } from '../config/global-options.js';

/** Prints a state (or writes it 0600 with --out: states hold secrets). Legacy stacks read it from GitLab. */
export async function run(global: GlobalOptions, name: string, options: { versionId?: string; out?: string }): Promise<number> {
  const body = (await legacyState(global, name, options)) ?? (await s3State(global, name, options.versionId));
  if (options.out) {
    writeFileAtomic(path.resolve(options.out), body, 0o600);
    printErr(`wrote ${options.out} (mode 0600)`);
  } else process.stdout.write(body);
  return 0;
}

async function s3State(global: GlobalOptions, name: string, version?: string): Promise<string> {
  const state = await openStackState(global, name);
  try {
    return (await pullState(state, version)).body;
  } finally {
    state.client.destroy();
  }
}

async function legacyState(global: GlobalOptions, name: string, options: { versionId?: string }): Promise<string | undefined> {
  const project = loadProject();
  const env = resolveEnv(project, global.env);
  const stack = requireStack(project, name);
  if (backendKindFor(stack, env) !== 'gitlab-http') return undefined;
  printErr(legacyNotice(stack.name));
  if (options.versionId) throw new FoundationError('--version-id reads S3 bucket versions; this stack\'s state is on GitLab', 'drop --version-id, or migrate the stack to S3 first');
  const location = gitlabStateLocation(stack, env);
  const body = await fetchGitlabState(location, readGitlabCredentials());
  if (body === undefined) throw new FoundationError(`GitLab has no state "${location.stateName}" in project ${location.project}`, `check gitlab.project and gitlab.stateName in ${stack.file}`);
  return body;
}

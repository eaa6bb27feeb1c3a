import path from 'node:path';
import type { Project, Stack } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';
import { matchesAny } from './glob.js';

/**
 * Files changed since `ref`: everything between the merge base of `ref` and HEAD and
 * the working tree (committed, staged or not), plus untracked files. Paths are relative
 * to the project folder; files outside it are left out.
 */
export async function changedFiles(projectDir: string, ref: string): Promise<string[]> {
  // Imported here: execa costs ~75 ms, and `stacks` without --changed-since never needs it.
  const { execa } = await import('execa');
  const git = (args: string[]) => execa('git', ['-C', projectDir, ...args], { reject: false });
  const verified = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (verified.exitCode !== 0) {
    const notRepo = /not a git repository/i.test(String(verified.stderr));
    throw new FoundationError(
      notRepo ? `--changed-since needs a git repository, and ${projectDir} is not in one` : `--changed-since: unknown git ref "${ref}"`,
      notRepo ? 'run foundation inside the repository checkout' : `fetch it first (e.g. git fetch origin main) or name a commit, branch or tag that exists`,
    );
  }
  const [diff, untracked] = await Promise.all([
    git(['diff', '--name-only', '--relative', '--merge-base', ref]),
    git(['ls-files', '--others', '--exclude-standard']),
  ]);
  for (const result of [diff, untracked]) {
    if (result.exitCode !== 0) throw new FoundationError(`git failed while listing changes since "${ref}": ${String(result.stderr).split('\n')[0]}`, 'check that the repository is not a shallow clone missing that ref (fetch-depth: 0 in CI)');
  }
  return [...new Set([...String(diff.stdout).split('\n'), ...String(untracked.stdout).split('\n')].filter(Boolean))].sort();
}

/** Whether a changed file (relative to the project) belongs to a stack: its folder, its root module, or its watch globs. */
export function stackOwnsFile(project: Project, stack: Stack, file: string): boolean {
  const absolute = path.join(project.dir, file);
  const inside = (dir: string) => absolute === dir || absolute.startsWith(`${dir}${path.sep}`);
  return inside(stack.dir) || inside(stack.rootDir) || matchesAny(file, stack.spec.watch);
}

/** The stacks that depend on any of `names`, directly or through others. */
export function dependentsOf(project: Project, names: Set<string>): Set<string> {
  const result = new Set(names);
  let grew = true;
  while (grew) {
    grew = false;
    for (const stack of project.stacks.values()) {
      if (!result.has(stack.name) && stack.spec.dependsOn.some((dep) => result.has(dep))) {
        result.add(stack.name);
        grew = true;
      }
    }
  }
  return result;
}

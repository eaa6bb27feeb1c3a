import path from 'node:path';
import { execa } from 'execa';
import { findTofuBinary } from '../tofu/binary.js';
import { tofuVersion } from '../tofu/version.js';
import { executable } from '../util/executable.js';
import type { Check } from './check.js';

/** Runs `<bin> <args>` for its version; undefined when the binary is not on PATH or does not answer. */
async function versionOutput(bin: string, args: string[]): Promise<string | undefined> {
  const result = await execa(bin, args, { reject: false, timeout: 15_000, stdin: 'ignore' });
  if (result.failed && (result.code === 'ENOENT' || result.exitCode === undefined)) return undefined;
  return `${String(result.stdout)}\n${String(result.stderr)}`;
}

export async function tofuCheck(): Promise<Check> {
  let tofu;
  try {
    tofu = findTofuBinary();
  } catch (error) {
    return { check: 'tofu', status: 'fail', detail: (error as Error).message };
  }
  const version = (await tofuVersion(tofu))?.version;
  if (!version) return { check: 'tofu', status: 'fail', detail: `${tofu.path} did not print a version` };
  const fallback = tofu.name === 'terraform' ? ' (tofu not found: terraform stands in)' : '';
  return { check: 'tofu', status: 'ok', detail: `${tofu.name} ${version} at ${tofu.path}${fallback}` };
}

/**
 * kubectl, talosctl and just: found and their versions. Missing kubectl fails; talosctl and
 * just only serve some recipes. just counts as found the way the manual runs it
 * (docs/plan-apply.md, "justfile"): on PATH, or as `npx just` from the project's
 * node_modules/.bin (npm ci installs rust-just there).
 */
export async function toolChecks(projectDir: string): Promise<Check[]> {
  const tools: Array<{ check: string; args: string[]; version: RegExp; required: boolean }> = [
    { check: 'kubectl', args: ['version', '--client', '-o', 'json'], version: /"gitVersion":\s*"([^"]+)"/, required: true },
    { check: 'talosctl', args: ['version', '--client'], version: /Tag:\s*(\S+)/, required: false },
    { check: 'just', args: ['--version'], version: /^just (\S+)/m, required: false },
  ];
  return Promise.all(
    tools.map(async ({ check, args, version, required }): Promise<Check> => {
      let out = await versionOutput(check, args);
      let via = '';
      const local = check === 'just' && out === undefined ? npxBinary(projectDir, check) : undefined;
      if (local) {
        out = await versionOutput(local, args);
        via = ` (run as "npx just": ${path.relative(projectDir, local) || local})`;
      }
      if (out === undefined) {
        const where = check === 'just' ? ' and not in the project\'s node_modules/.bin (npm ci installs it: npm package rust-just)' : '';
        return { check, status: required ? 'fail' : 'warn', detail: `${check} is not on PATH${where}` };
      }
      const found = version.exec(out)?.[1];
      return found ? { check, status: 'ok', detail: `${check} ${found}${via}` } : { check, status: 'warn', detail: `${check} found, but its version could not be read` };
    }),
  );
}

/** What `npx <name>` runs from the project: node_modules/.bin/<name> in its folder or a parent folder. */
function npxBinary(projectDir: string, name: string): string | undefined {
  for (let dir = projectDir; ; dir = path.dirname(dir)) {
    const found = executable(path.join(dir, 'node_modules', '.bin', name));
    if (found || path.dirname(dir) === dir) return found;
  }
}

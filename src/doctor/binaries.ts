import { execa } from 'execa';
import { findTofuBinary } from '../tofu/binary.js';
import { tofuVersion } from '../tofu/version.js';
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

/** kubectl, talosctl and just: found and their versions. Missing kubectl fails; talosctl and just only serve some recipes. */
export async function toolChecks(): Promise<Check[]> {
  const tools: Array<{ check: string; args: string[]; version: RegExp; required: boolean }> = [
    { check: 'kubectl', args: ['version', '--client', '-o', 'json'], version: /"gitVersion":\s*"([^"]+)"/, required: true },
    { check: 'talosctl', args: ['version', '--client'], version: /Tag:\s*(\S+)/, required: false },
    { check: 'just', args: ['--version'], version: /^just (\S+)/m, required: false },
  ];
  return Promise.all(
    tools.map(async ({ check, args, version, required }): Promise<Check> => {
      const out = await versionOutput(check, args);
      if (out === undefined) return { check, status: required ? 'fail' : 'warn', detail: `${check} is not on PATH` };
      const found = version.exec(out)?.[1];
      return found ? { check, status: 'ok', detail: `${check} ${found}` } : { check, status: 'warn', detail: `${check} found, but its version could not be read` };
    }),
  );
}

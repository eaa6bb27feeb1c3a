import { findTofuBinary } from '../tofu/binary.js';
import { tofuVersion } from '../tofu/version.js';
import { printJson, printOut } from '../ui/output.js';
import { buildInfo } from '../util/build-info.js';
import type { GlobalOptions } from '../config/global-options.js';

/** The `foundation version --json` shape (docs/json.md): every key always present, null when unknown. */
interface VersionReport {
  version: string;
  commit: string;
  node: string;
  platform: string;
  tofu: { name: string | null; path: string | null; version: string | null; platform: string | null; error: string | null };
}

/** What a bug report needs; a missing or silent tofu is reported, not an error (exit 0). */
async function versionReport(): Promise<VersionReport> {
  const base = { ...buildInfo, node: process.version, platform: `${process.platform}-${process.arch}` };
  let binary;
  try {
    binary = findTofuBinary();
  } catch (error) {
    return { ...base, tofu: { name: null, path: null, version: null, platform: null, error: (error as Error).message } };
  }
  const found = await tofuVersion(binary);
  const error = found ? null : `${binary.path} did not answer "version -json" with a version`;
  return { ...base, tofu: { name: binary.name, path: binary.path, version: found?.version ?? null, platform: found?.platform ?? null, error } };
}

export async function run(_global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const report = await versionReport();
  if (options.json) {
    printJson(report);
    return 0;
  }
  const { tofu } = report;
  const tofuLine = tofu.version ? `${tofu.name} ${tofu.version} (${tofu.path}, ${tofu.platform})` : tofu.error;
  printOut([`foundation ${report.version}`, `commit  ${report.commit}`, `node    ${report.node} (${report.platform})`, `tofu    ${tofuLine}`].join('\n'));
  return 0;
}

import path from 'node:path';
import type { GlobalOptions } from '../config/global-options.js';
import { EXIT, FoundationError } from '../ui/errors.js';
import { printJson } from '../ui/output.js';
import { redact } from '../ui/redact.js';
import { checkReportFile } from '../ui/report-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/**
 * Runs a tofu-running command so that a run that fails before its stacks run (an
 * unreachable bucket, a missing root, a held lock) still leaves its report: the
 * `--json` document on stdout and the `--report-file`, with the error, for CI to upload.
 * The error itself is rethrown for the top level to print.
 */
export async function withFailureReport(
  command: string,
  global: GlobalOptions,
  options: { json?: boolean; reportFile?: string },
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (options.json || options.reportFile) {
      const failure = error instanceof FoundationError ? error : undefined;
      const report = {
        command,
        env: global.env ?? process.env.ENV ?? null,
        exitCode: failure?.exitCode ?? EXIT.error,
        error: { message: error instanceof Error ? error.message : String(error), ...(failure?.hint ? { hint: failure.hint } : {}) },
        stacks: [],
      };
      if (options.json) printJson(report);
      if (options.reportFile && reportFileWritable(options.reportFile)) writeFileAtomic(path.resolve(options.reportFile), `${redact(JSON.stringify(report, null, 2))}\n`);
    }
    throw error;
  }
}

function reportFileWritable(file: string): boolean {
  try {
    checkReportFile(file);
    return true;
  } catch {
    return false;
  }
}

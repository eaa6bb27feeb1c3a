import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FoundationError } from './errors.js';

/**
 * Checks before anything runs that --report-file can be written: the nearest existing
 * folder on its path takes a file (probed with a temp file, removed at once), and the
 * path itself is not a folder. Found after a long run, the error would lose the report.
 */
export function checkReportFile(file: string | undefined): void {
  if (!file) return;
  const target = path.resolve(file);
  if (existsSync(target) && statSync(target).isDirectory()) {
    throw new FoundationError(`--report-file ${file} is a folder`, 'name a file, e.g. --report-file report.json');
  }
  let dir = path.dirname(target);
  while (!existsSync(dir)) dir = path.dirname(dir);
  const probe = path.join(dir, `.foundation-report-probe.${randomBytes(4).toString('hex')}`);
  try {
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    writeFileSync(probe, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new FoundationError(`--report-file ${file} cannot be written: ${dir} does not take new files (${code})`, 'name a file in a folder you can write to, e.g. --report-file report.json');
  }
  rmSync(probe, { force: true });
}

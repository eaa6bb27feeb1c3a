import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes via a temp file in the same directory and a rename, so readers never see half a file. */
export function writeFileAtomic(file: string, content: string | Uint8Array, mode = 0o644): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = tempPathFor(file);
  try {
    writeFileSync(temp, content, { mode });
    chmodSync(temp, mode); // the umask may have narrowed or widened what writeFileSync set
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** True when the file exists with exactly this content (lets callers skip a no-op write). */
export function hasContent(file: string, content: string): boolean {
  try {
    return readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/** A sibling name for a file being produced, renamed into place once complete. */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
}

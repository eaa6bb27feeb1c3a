import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { FoundationError } from '../ui/errors.js';
import { tempPathFor } from '../util/atomic-write.js';

/**
 * Plan files are produced under a temp name and renamed into place only when the plan
 * succeeded, so a plan that fails or races another never removes or half-writes the
 * plan someone else is looking at. Plan files hold secrets: 0600.
 */
export function planTempFile(planFile: string): string {
  return tempPathFor(planFile);
}

/** Moves a finished plan into place and returns its checksum: what the run showed. */
export function commitPlanFile(temp: string, planFile: string): string {
  chmodSync(temp, 0o600);
  const checksum = fileChecksum(temp);
  renameSync(temp, planFile);
  return checksum;
}

export function fileChecksum(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * A private copy of the plan, checked against the checksum of the plan that was shown:
 * tofu applies the copy, so nothing written to `planFile` after the check can slip in.
 */
export function pinnedPlanCopy(stack: string, planFile: string, checksum: string): { file: string; remove(): void } {
  const file = tempPathFor(planFile);
  copyFileSync(planFile, file);
  chmodSync(file, 0o600);
  if (fileChecksum(file) !== checksum) {
    rmSync(file, { force: true });
    throw new FoundationError(
      `the plan file of stack "${stack}" changed after it was shown (${planFile}); nothing was applied`,
      'another run wrote a new plan there; plan again and apply what you have seen',
    );
  }
  return { file, remove: () => rmSync(file, { force: true }) };
}

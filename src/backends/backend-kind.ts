import type { Stack } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';

export type BackendKind = 's3' | 'gitlab-http';

/** Where a stack's state lives in an ENV: S3 unless stack.yaml says gitlab-http for it. */
export function backendKindFor(stack: Stack, env: string): BackendKind {
  return stack.spec.backend?.[env] ?? 's3';
}

/** Printed on every use of the legacy backend (the deployment contract keeps it for compatibility only). */
export function legacyNotice(stack: string): string {
  return (
    `note: GitLab-managed HTTP state (TF_HTTP_*) is compatibility-only; the deployment contract keeps state on S3. ` +
    `Move the stack with: foundation state migrate ${stack} --from gitlab-http --to s3`
  );
}

/** Why an S3 command must not touch a stack whose state, in this ENV, is still on GitLab. */
export function legacyBackendRefusal(stack: Stack, env: string): FoundationError | undefined {
  if (backendKindFor(stack, env) !== 'gitlab-http') return undefined;
  return new FoundationError(
    `stack "${stack.name}" keeps its state on GitLab (backend gitlab-http) in ENV ${env}; this command works on S3 state only`,
    `move it with "foundation state migrate ${stack.name} --from gitlab-http --to s3", then set backend.${env}: s3 in ${stack.file}; "foundation init ${stack.name}" still inits the legacy backend`,
  );
}

import type { Stack } from '../config/project.js';
import { EXIT } from '../ui/errors.js';
import type { StackOutcome } from './report.js';

export type Command = 'init' | 'plan' | 'apply';

/**
 * The guards checked before a stack runs at all. A refusal is exit 3, and the stack's
 * dependents are skipped behind it:
 * - a stack named for an ENV it is not deployed in (stack.yaml `environments`);
 * - an apply in CI of a stack the contract keeps operator-driven (`apply.allowInCI: false`).
 */
export function refusal(stack: Stack, env: string, command: Command, { ci }: { ci: boolean }): StackOutcome | undefined {
  const deployedIn = stack.spec.environments;
  if (deployedIn && !deployedIn.includes(env)) {
    return refused(`stack "${stack.name}" is not deployed in ENV ${env}`, `${stack.file} lists environments: ${deployedIn.join(', ')}`);
  }
  if (command === 'apply' && ci && !stack.spec.apply.allowInCI) {
    return refused(
      `stack "${stack.name}" is applied by an operator, not by CI (apply.allowInCI: false)`,
      `run the apply from an operator shell, or set apply.allowInCI in ${stack.file} once the stack has an automated apply path`,
    );
  }
  return undefined;
}

function refused(message: string, hint: string): StackOutcome {
  return { status: 'refused', exitCode: EXIT.refused, reason: message, error: { message, hint } };
}

import type { StackResult } from '../orchestrate/report.js';
import type { RunView } from '../orchestrate/scheduler.js';
import { redact } from './redact.js';

type Stream = NodeJS.WritableStream;

/** One stack: tofu's output streams live, as if tofu ran in the terminal. */
export function liveView(stream: Stream): RunView {
  return {
    io: () => ({ write: (text) => stream.write(text), phase: () => {} }),
    finished: () => {},
  };
}

/**
 * Several stacks without a terminal: each stack's output is held and written as one
 * block when the stack ends, so parallel runs never interleave. In GitHub Actions the
 * block is a collapsible ::group::; elsewhere every line carries the stack's name.
 */
export function blockView(stream: Stream, command: string, { githubGroups }: { githubGroups: boolean }): RunView {
  const buffers = new Map<string, string>();
  return {
    io: (stack) => ({ write: (text) => buffers.set(stack.name, (buffers.get(stack.name) ?? '') + text), phase: () => {} }),
    finished: (stack, result) => {
      const body = (buffers.get(stack.name) ?? '') + resultLines(result);
      buffers.delete(stack.name);
      const title = `${stack.name} (${command}): ${result.status}`;
      stream.write(githubGroups ? `::group::${title}\n${ensureNewline(body)}::endgroup::\n` : prefixLines(`== ${title}\n${body}`, stack.name));
    },
  };
}

/** The tail of a stack's block: why it failed, was refused or skipped. */
export function resultLines(result: StackResult): string {
  if (result.error) return redact(`error: ${result.error.message}\n${result.error.hint ? `hint: ${result.error.hint}\n` : ''}`);
  return result.reason ? `${result.reason}\n` : '';
}

function prefixLines(text: string, name: string): string {
  return ensureNewline(text)
    .split('\n')
    .slice(0, -1)
    .map((line) => `${name} | ${line}\n`)
    .join('');
}

function ensureNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

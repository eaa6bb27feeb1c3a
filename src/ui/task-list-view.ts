import type { Stack } from '../config/project.js';
import type { StackResult } from '../orchestrate/report.js';
import type { RunView } from '../orchestrate/scheduler.js';
import { resultLines } from './run-view.js';

interface TaskHandle {
  setTitle(title: string): void;
  done(result: StackResult): void;
}

/**
 * Several stacks in a terminal: a live listr2 task list, one line per stack with what it
 * is doing (waiting on X, init, planning, +3 ~1 -0, failed). Each stack's tofu output is
 * kept whole and written as one block when the stack ends; listr2 holds writes while it
 * draws and prints them, in order, below the finished list.
 */
export async function taskListView(stacks: Stack[], stream: NodeJS.WritableStream, command: string): Promise<RunView> {
  const { Listr } = await import('listr2');
  const handles = new Map<string, TaskHandle>();
  const early = new Map<string, string>();
  const finishedEarly = new Map<string, StackResult>();
  const buffers = new Map<string, string>();
  const list = new Listr(
    stacks.map((stack) => ({
      title: `${stack.name}: queued`,
      task: (_: unknown, task: { title: string; skip(message: string): void }) =>
        new Promise<void>((resolve, reject) => {
          handles.set(stack.name, {
            setTitle: (title) => (task.title = title),
            done: (result) => {
              task.title = `${stack.name}: ${resultTitle(result)}`;
              if (result.status === 'skipped' || result.status === 'not-started') {
                task.skip(`${stack.name}: ${result.reason}`);
                resolve();
              } else if (result.error) reject(new Error(`${stack.name}: ${result.error.message}`));
              else resolve();
            },
          });
          // The scheduler may have moved on before listr2 started this task.
          const title = early.get(stack.name);
          if (title) task.title = title;
          const result = finishedEarly.get(stack.name);
          if (result) handles.get(stack.name)!.done(result);
        }),
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false, collapseSkips: false } },
  );
  const rendering = list.run().catch(() => undefined);
  return {
    io: (stack) => ({
      write: (text) => buffers.set(stack.name, (buffers.get(stack.name) ?? '') + text),
      phase: (label) => {
        const title = `${stack.name}: ${label}`;
        const handle = handles.get(stack.name);
        if (handle) handle.setTitle(title);
        else early.set(stack.name, title);
      },
    }),
    finished: (stack, result) => {
      const body = (buffers.get(stack.name) ?? '') + resultLines(result);
      buffers.delete(stack.name);
      if (body) stream.write(`\n── ${stack.name} (${command}): ${result.status} ──\n${body}`);
      const handle = handles.get(stack.name);
      if (handle) handle.done(result);
      else finishedEarly.set(stack.name, result);
    },
    close: async () => {
      await rendering;
    },
  };
}

function resultTitle(result: StackResult): string {
  const s = result.summary;
  const counts = s ? `+${s.add} ~${s.change} -${s.destroy}` : '';
  switch (result.status) {
    case 'changes':
      return counts;
    case 'applied':
      return `applied ${counts}`;
    case 'no-changes':
      return 'no changes';
    case 'upstream-failed':
      return `upstream ${result.upstreamFailed} failed, planned anyway ${counts}`;
    case 'initialized':
      return result.init?.ran ? 'initialized' : 'init skipped (up to date)';
    default:
      return result.status;
  }
}

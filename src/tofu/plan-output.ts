import { LineBuffer } from '../util/line-buffer.js';
import type { PlanSummary } from './plan-summary.js';

// Colour codes tofu writes when it may colour (a terminal): stripped before matching.
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
// tofu's own totals line; imports come first and forgets last when there are any (OpenTofu
// prints forgets here, terraform 1.11 only in the change list).
const PLAN_LINE = /^Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy(?:, (\d+) to forget)?\./;
// A resource in the change list starts at column 0 after its action symbol: "-/+" and "+/-"
// are the two replacements; nested blocks are indented and never carry them.
const REPLACE_LINE = /^(?:-\/\+|\+\/-) (?:resource|data) "/;
// " ." is terraform's symbol for a resource removed from state without being destroyed.
const FORGET_LINE = /^ \. (?:resource|data) "/;
// In "Changes to Outputs:", each changed output is one line at two spaces with its symbol;
// a multi-line value continues deeper. The section ends at the next line starting at column 0.
const OUTPUT_LINE = /^ {2}[+~-] \S/;

/**
 * Reads the summary from the human output of `tofu plan` as it streams to the operator,
 * so a plan needs no second tofu process (`show -json`, which loads every provider schema
 * again). The counts are tofu's own: its "Plan:" line, the replacements and forgets of its
 * change list, and the lines of "Changes to Outputs:". tests/integration/plan-output.test.ts
 * keeps them equal to what `show -json` of the same plan gives.
 */
export class PlanOutputReader {
  private readonly buffer = new LineBuffer();
  private plan?: RegExpExecArray;
  private replace = 0;
  private forgetLines = 0;
  private outputChanges = 0;
  private inOutputs = false;
  private sawOutputs = false;
  private sawNoChanges = false;

  /** Text as tofu wrote it (any chunking; colour codes allowed). */
  push(text: string): void {
    this.read(this.buffer.lines(text));
  }

  /** The counts, or undefined when the output was not a plan this reader recognizes (then ask `show -json`). */
  summary(): PlanSummary | undefined {
    this.read(this.buffer.rest());
    if (!this.plan && !this.sawOutputs && !this.sawNoChanges) return undefined;
    const [, imports, add, change, destroy, forget] = this.plan ?? [];
    return {
      add: Number(add ?? 0),
      change: Number(change ?? 0),
      destroy: Number(destroy ?? 0),
      replace: this.replace,
      import: Number(imports ?? 0),
      forget: forget === undefined ? this.forgetLines : Number(forget),
      outputChanges: this.outputChanges,
    };
  }

  /** Whole lines; colour is stripped per chunk, not per line: a large plan streams thousands of lines. */
  private read(lines: string): void {
    if (!lines) return;
    for (const line of (lines.includes('\x1b') ? lines.replace(ANSI, '') : lines).split('\n')) this.line(line);
  }

  private line(line: string): void {
    if (this.inOutputs) {
      if (OUTPUT_LINE.test(line)) this.outputChanges++;
      if (!/^\S/.test(line)) return;
      this.inOutputs = false;
    }
    if (line === 'Changes to Outputs:') this.inOutputs = this.sawOutputs = true;
    else if (REPLACE_LINE.test(line)) this.replace++;
    else if (FORGET_LINE.test(line)) this.forgetLines++;
    else if (/^No changes\. /.test(line)) this.sawNoChanges = true;
    else this.plan = PLAN_LINE.exec(line) ?? this.plan;
  }
}

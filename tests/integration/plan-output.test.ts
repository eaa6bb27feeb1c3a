import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { findTofuBinary } from '../../src/tofu/binary.js';
import { PlanOutputReader } from '../../src/tofu/plan-output.js';
import { summarizePlan } from '../../src/tofu/plan-summary.js';
import { baseEnv } from '../support/cli.js';

// The fast path (counts read from the plan's own human output) against the slow one
// (`show -json` of the same saved plan), with the real tofu/terraform, on plans of every
// kind: each scenario applies `before`, then plans `after`, as in CI and at a terminal.
const tofu = findTofuBinary().path;
const env = baseEnv({ CHECKPOINT_DISABLE: '1' });
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const MODULE = `
variable "rev" { type = string }
resource "terraform_data" "inner" { triggers_replace = var.rev }
output "rev" { value = var.rev }
`;

interface Scenario {
  name: string;
  before?: string;
  after: string;
  /** Extra plan arguments. */
  args?: string[];
  /** What show -json says, written out so a scenario that stopped testing its kind fails. */
  expected: Record<string, number>;
}

const scenarios: Scenario[] = [
  {
    name: 'create, with a module and a multi-line output',
    after: `
      resource "terraform_data" "a" { input = "a" }
      resource "terraform_data" "b" { input = { x = 1, y = ["p", "q"] } }
      module "m" {
        source = "./mod"
        rev    = "1"
      }
      output "obj" { value = { a = terraform_data.a.output, list = [1, 2] } }
      output "text" { value = "line one\\nline two\\n" }`,
    expected: { add: 3, outputChanges: 2 },
  },
  {
    name: 'replace (both orders, inside a module too), update and an unchanged resource',
    before: `
      resource "terraform_data" "r" { triggers_replace = "1" }
      resource "terraform_data" "cbd" {
        triggers_replace = "1"
        lifecycle { create_before_destroy = true }
      }
      resource "terraform_data" "u" { input = "1" }
      resource "terraform_data" "same" { input = "same" }
      module "m" {
        source = "./mod"
        rev    = "1"
      }
      output "o" { value = "1" }`,
    after: `
      resource "terraform_data" "r" { triggers_replace = "2" }
      resource "terraform_data" "cbd" {
        triggers_replace = "2"
        lifecycle { create_before_destroy = true }
      }
      resource "terraform_data" "u" { input = "2" }
      resource "terraform_data" "same" { input = "same" }
      module "m" {
        source = "./mod"
        rev    = "2"
      }
      output "o" { value = "1" }`,
    expected: { add: 3, change: 1, destroy: 3, replace: 3 },
  },
  {
    name: 'replace on request (-replace)',
    before: `resource "terraform_data" "r" { input = "x" }`,
    after: `resource "terraform_data" "r" { input = "x" }`,
    args: ['-replace=terraform_data.r'],
    expected: { add: 1, destroy: 1, replace: 1 },
  },
  {
    name: 'outputs only: added, changed, removed, sensitive',
    before: `
      resource "terraform_data" "keep" { input = "k" }
      output "changed" { value = "x" }
      output "removed" { value = { a = 1 } }
      output "same" { value = "s" }`,
    after: `
      resource "terraform_data" "keep" { input = "k" }
      output "changed" { value = "y" }
      output "same" { value = "s" }
      output "added" { value = [1, 2, 3] }
      output "secret" {
        value     = "hush"
        sensitive = true
      }`,
    expected: { outputChanges: 4 },
  },
  {
    name: 'no changes',
    before: `
      resource "terraform_data" "keep" { input = "k" }
      output "o" { value = "o" }`,
    after: `
      resource "terraform_data" "keep" { input = "k" }
      output "o" { value = "o" }`,
    expected: {},
  },
  {
    name: 'destroy: resources and a module left out of the configuration',
    before: `
      resource "terraform_data" "gone" { input = "g" }
      resource "terraform_data" "counted" {
        count = 2
        input = count.index
      }
      resource "terraform_data" "keep" { input = "k" }
      module "m" {
        source = "./mod"
        rev    = "1"
      }
      output "o" { value = terraform_data.gone.output }`,
    after: `resource "terraform_data" "keep" { input = "k" }`,
    expected: { destroy: 4, outputChanges: 1 },
  },
  {
    name: 'destroy mode (-destroy)',
    before: `
      resource "terraform_data" "a" { input = "a" }
      resource "terraform_data" "b" { input = "b" }
      output "o" { value = "o" }`,
    after: `
      resource "terraform_data" "a" { input = "a" }
      resource "terraform_data" "b" { input = "b" }
      output "o" { value = "o" }`,
    args: ['-destroy'],
    expected: { destroy: 2, outputChanges: 1 },
  },
  {
    name: 'import, import with an update, and forget',
    before: `resource "terraform_data" "old" { input = "o" }`,
    after: `
      import {
        to = terraform_data.imported
        id = "id-1"
      }
      resource "terraform_data" "imported" {}
      import {
        to = terraform_data.imported_then_updated
        id = "id-2"
      }
      resource "terraform_data" "imported_then_updated" { input = "new" }
      removed {
        from = terraform_data.old
        lifecycle { destroy = false }
      }
      resource "terraform_data" "added" { input = "a" }`,
    expected: { add: 1, change: 1, import: 2, forget: 1 },
  },
  {
    name: 'moved only',
    before: `resource "terraform_data" "old_name" { input = "m" }`,
    after: `
      resource "terraform_data" "new_name" { input = "m" }
      moved {
        from = terraform_data.old_name
        to   = terraform_data.new_name
      }`,
    expected: {},
  },
];

const ZERO = { add: 0, change: 0, destroy: 0, replace: 0, import: 0, forget: 0, outputChanges: 0 };

async function tf(dir: string, args: string[], okCodes = [0]) {
  const result = await execa(tofu, args, { cwd: dir, env, extendEnv: false, reject: false, all: true });
  expect(okCodes, `${args.join(' ')}:\n${result.all}`).toContain(result.exitCode);
  return result;
}

describe('plan summary from the plan output equals show -json', () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'foundation-plan-output-'));
      dirs.push(dir);
      mkdirSync(path.join(dir, 'mod'));
      writeFileSync(path.join(dir, 'mod', 'main.tf'), MODULE);
      writeFileSync(path.join(dir, 'main.tf'), scenario.before ?? scenario.after);
      await tf(dir, ['init', '-input=false', '-no-color']);
      if (scenario.before) await tf(dir, ['apply', '-input=false', '-auto-approve', '-no-color']);
      writeFileSync(path.join(dir, 'main.tf'), scenario.after);

      // As in CI (no colour, TF_IN_AUTOMATION) and as at a terminal (colour).
      for (const { color, automation } of [
        { color: false, automation: true },
        { color: true, automation: false },
      ]) {
        const planFile = path.join(dir, `plan-${color}.tfplan`);
        const plan = execa(tofu, ['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`, ...(scenario.args ?? []), ...(color ? [] : ['-no-color'])], {
          cwd: dir,
          env: automation ? { ...env, TF_IN_AUTOMATION: '1' } : env,
          extendEnv: false,
          reject: false,
        });
        // Fed in the small, odd-sized chunks a pipe may deliver, stdout and stderr into one reader as foundation does.
        const reader = new PlanOutputReader();
        for (const stream of [plan.stdout!, plan.stderr!]) {
          stream.setEncoding('utf8');
          stream.on('data', (text: string) => {
            for (let i = 0; i < text.length; i += 7) reader.push(text.slice(i, i + 7));
          });
        }
        const result = await plan;
        expect([0, 2], String(result.stderr)).toContain(result.exitCode);
        const shown = await tf(dir, ['show', '-json', '-no-color', planFile]);
        const slow = summarizePlan(String(shown.stdout));
        expect(slow, 'show -json').toEqual({ ...ZERO, ...scenario.expected });
        expect(reader.summary(), color ? 'with colour' : 'without colour, in automation').toEqual(slow);
        // The detailed exit code agrees: 2 whenever there is something to count (a move alone is 2 with no counts).
        expect(result.exitCode).toBe(Object.values(slow).some((n) => n > 0) || scenario.name === 'moved only' ? 2 : 0);
      }
    });
  }

  it('an output it does not recognize gives no summary, so the caller asks show -json', () => {
    const reader = new PlanOutputReader();
    reader.push('Some future tofu wording.\nResources: 1 to create\n');
    expect(reader.summary()).toBeUndefined();
  });
});

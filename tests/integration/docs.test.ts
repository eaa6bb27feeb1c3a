// The manual keeps up with the CLI: every command and option the built CLI's --help shows
// is in docs/, near its command, and every link in the README, docs/ and bench/README.md
// leads somewhere. The checks also run on small examples that must fail, so a check that
// passes because it finds nothing cannot go unnoticed.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { foundationFileSchema, stackFileSchema } from '../../src/config/schema.js';
import { REPO_ROOT } from '../support/cli.js';
import { anchors, brokenLinks, helpTree, slug, undocumented, type HelpCommand } from '../support/docs.js';

const DOCS = path.join(REPO_ROOT, 'docs');
const docPages = () =>
  new Map(readdirSync(DOCS).filter((name) => name.endsWith('.md')).map((name) => [path.join(DOCS, name), readFileSync(path.join(DOCS, name), 'utf8')]));

describe('the manual (README.md and docs/)', () => {
  it('documents every command and option --help shows, each option near its command', async () => {
    const commands = await helpTree();
    const names = commands.map((c) => c.path.join(' '));
    // The walk found the tree, nested commands included (and not the hidden __complete).
    expect(names).toEqual(expect.arrayContaining(['', 'plan', 'state versions', 'cluster status', 'drift accept', 'drift accepted', 'backend materialize', 'help']));
    expect(names).not.toContain('__complete');
    expect(commands.find((c) => c.path.join(' ') === 'apply')!.options).toEqual(expect.arrayContaining(['--skip-drain', '--api-outage', '--report-file']));
    expect(undocumented(commands, docPages())).toEqual([]);
  });

  it('has only links that resolve: files that exist, anchors that a heading makes', () => {
    const pages = docPages();
    for (const file of ['README.md', 'bench/README.md']) pages.set(path.join(REPO_ROOT, file), readFileSync(path.join(REPO_ROOT, file), 'utf8'));
    expect(brokenLinks(pages)).toEqual([]);
    // the README leads to every page of docs/
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const file of pages.keys()) if (file.startsWith(DOCS)) expect(readme, path.basename(file)).toContain(`](docs/${path.basename(file)}`);
  });

  it('keeps the README a front page', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
    // the two commands CI runs, as .ci/run runs them
    const ci = readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8');
    for (const command of ['npm ci && npm run sandbox', 'npm test']) {
      expect(ci).toMatch(new RegExp(`^${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
      expect(readme).toContain(command);
    }
  });

  it('names every key of foundation.yaml and stack.yaml in the configuration reference', () => {
    const reference = readFileSync(path.join(DOCS, 'configuration.md'), 'utf8');
    const missing = [...schemaKeys(foundationFileSchema), ...schemaKeys(stackFileSchema)].filter((key) => !new RegExp(`\\b${key}\\b`).test(reference));
    expect(missing).toEqual([]);
  });
});

describe('the checks themselves can fail', () => {
  const commands: HelpCommand[] = [
    { path: [], options: ['--env', '--help'], subcommands: ['plan', 'drift', 'state', 'help'], group: false },
    { path: ['plan'], options: ['--out', '--help'], subcommands: [], group: false },
    { path: ['drift'], options: ['--json', '--help'], subcommands: ['accept'], group: false },
    { path: ['drift', 'accept'], options: ['--reason', '--help'], subcommands: [], group: false },
    { path: ['state'], options: ['--help'], subcommands: ['versions'], group: true },
    { path: ['state', 'versions'], options: ['--json', '--help'], subcommands: [], group: false },
  ];

  it('reports a missing command, a missing option, and an option away from its command', () => {
    const page = [
      '# Page', 'Use `--env` to pick one; `--help` for more; `--output` is another flag.',
      '## Plan', '`foundation plan` writes a plan.', // no --out: --output is not --out
      '## Drift', '`foundation drift accept web x --reason r` accepts.', // mentions only drift accept
      '## Elsewhere', '`--json` alone, far from its command.',
    ].join('\n');
    expect(undocumented(commands, new Map([['/docs/a.md', page]]))).toEqual([
      'option --out of foundation plan',
      'command foundation drift',
      'command foundation state versions',
    ]);
    const fixed = `${page}\n## Plan files\n\`foundation plan --out F\`\n## More drift\n\`foundation drift --json\`\n## State\n\`\`\`\nfoundation state versions --json\n\`\`\``;
    expect(undocumented(commands, new Map([['/docs/a.md', fixed]]))).toEqual([]);
  });

  it('reports a missing file and an anchor no heading makes, and takes what GitHub takes', () => {
    const dir = path.join(REPO_ROOT, 'docs');
    const a = path.join(dir, 'a-example.md');
    const b = path.join(dir, 'b-example.md');
    const pages = new Map([
      [a, '# A\n[ok](b-example.md#run-foundation-plan---json) [ok](#a) [ok](../LICENSE) [site](https://example.com/x#y)\n[gone](missing.md) [bad](b-example.md#nope) `[code](nowhere.md)`\n```\n[fenced](nowhere.md)\n```'],
      [b, '# B\n## Run: `foundation plan --json`!\n```\n# not a heading\n```'],
    ]);
    expect(brokenLinks(pages)).toEqual(['docs/a-example.md: missing.md (no such file)', 'docs/a-example.md: b-example.md#nope (no heading makes #nope)']);
    expect([...anchors('# X\n## Same\n## Same\n### Where does this stack stand? `foundation status`')]).toEqual(['x', 'same', 'same-1', 'where-does-this-stack-stand-foundation-status']);
    expect(slug('Talos clusters: `foundation cluster …`')).toBe('talos-clusters-foundation-cluster-');
  });
});

/** Every object key a valibot schema allows, through pipes, optionals, arrays, records, unions and lazy branches. */
function schemaKeys(schema: v.GenericSchema): string[] {
  const keys = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const s = node as Record<string, unknown> & { type?: string };
    if (s.entries && typeof s.entries === 'object') {
      for (const [key, child] of Object.entries(s.entries as Record<string, unknown>)) {
        keys.add(key);
        walk(child);
      }
    }
    for (const child of [s.wrapped, s.item, s.value, ...((s.pipe as unknown[] | undefined) ?? []), ...((s.options as unknown[] | undefined) ?? [])]) walk(child);
    // the clusters record picks a schema per entry (v.lazy): walk both branches
    if (typeof s.getter === 'function') for (const probe of [{ distribution: 'rke2' }, {}]) walk((s.getter as (input: unknown) => unknown)(probe));
  };
  walk(schema);
  return [...keys];
}

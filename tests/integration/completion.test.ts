import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, CLI, runCli } from '../support/cli.js';
import { onPath } from '../../src/util/executable.js';
import { loadedModules, TRACE_MODULES } from '../support/module-trace.js';
import { copyFixture, removeFixtures } from '../support/project.js';
import { openTerminal } from '../support/terminal.js';

// tests/fixtures/completion: stacks api, apps, arc-runners, batch, cache; environments dev
// (cluster lab) and staging; clusters lab and edge.
const STACKS = ['api', 'apps', 'arc-runners', 'batch', 'cache'];
const A_STACKS = ['api', 'apps', 'arc-runners'];

let project: string;
let home: string;
/** PATH with a `foundation` that is this checkout's bin/foundation.js, as `npm link` would make it. */
let env: Record<string, string | undefined>;

beforeAll(() => {
  project = copyFixture('completion');
  home = mkdtempSync(path.join(tmpdir(), 'foundation-completion-home-'));
  const bin = path.join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(CLI, path.join(bin, 'foundation'));
  env = baseEnv({ HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), PATH: [bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter), HISTFILE: '/dev/null' });
});

afterAll(() => {
  removeFixtures();
  rmSync(home, { recursive: true, force: true });
});

/** The values `foundation __complete <shell> ...words` offers (without descriptions), or ':files'. */
async function offered(words: string[], { cwd = project, shell = 'bash' } = {}): Promise<string[]> {
  const result = await runCli(['__complete', shell, ...words], { cwd, env });
  expect(result.exitCode).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0]!);
}

describe('foundation __complete (what the scripts run on each Tab)', () => {
  it('walks the command tree: commands, nested commands, options of the command typed, global options', async () => {
    const top = await offered(['']);
    expect(top).toEqual(expect.arrayContaining(['stacks', 'state', 'plan', 'apply', 'cluster', 'completion', 'version', 'help']));
    expect(top).not.toContain('__complete');
    expect(await offered(['pl'])).toEqual(['plan']);
    expect(await offered(['state', 'v'])).toEqual(['versions']);
    expect(await offered(['cluster', 'st'])).toEqual(['status']);
    expect(await offered(['backend', ''])).toEqual(['materialize', 'help']);
    // a global option before the command, with its value
    expect(await offered(['--env', 'dev', 'pl'])).toEqual(['plan']);
    // the command's own options first, then the global ones, as --help lists them
    expect(await offered(['plan', '--de'])).toEqual(['--detailed-exitcode', '--debug']);
    expect(await offered(['state', 'restore', 'x', '--'])).toEqual(['--version-id', '--yes', '--json', '--help', '--version', '--env', '--context', '--debug', '--no-color']);
    // given once, not offered again; --only collects, so it is
    expect(await offered(['plan', '--detailed-exitcode', '--de'])).toEqual(['--debug']);
    expect(await offered(['apply', '--only', 'a*', '--on'])).toEqual(['--only']);
    expect(await offered(['help', 'sta'])).toEqual(['stacks', 'state', 'status']);
    expect(await offered(['state', 'help', 'v'])).toEqual(['versions']);
    expect(await offered(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });

  it('stack, cluster, environment, context and node names come from the project in the working directory', async () => {
    expect(await offered(['plan', 'a'])).toEqual(A_STACKS);
    expect(await offered(['plan', 'api', 'a'])).toEqual(['apps', 'arc-runners']);
    expect(await offered(['state', 'key', ''])).toEqual(STACKS);
    expect(await offered(['state', 'key', 'api', ''])).toEqual([]);
    expect(await offered(['drain', 'b'])).toEqual(['batch']);
    expect(await offered(['kubectl', ''])).toEqual(STACKS);
    expect(await offered(['plan', '--only', 'c'])).toEqual(['cache']);
    expect(await offered(['cluster', 'status', ''])).toEqual(['lab', 'edge']);
    expect(await offered(['talosctl', 'e'])).toEqual(['edge']);
    expect(await offered(['kubectl', '--cluster', ''])).toEqual(['lab', 'edge']);
    expect(await offered(['talosctl', 'lab', '--node', ''])).toEqual(['lab-cp-1', 'lab-w-1', '192.0.2.22']);
    expect(await offered(['cluster', 'apply', 'edge', '--node', ''])).toEqual(['edge-cp-1']);
    expect(await offered(['plan', '--env', ''])).toEqual(['dev', 'staging']);
    expect(await offered(['--context', ''])).toEqual(['staging-ctx', 'lab', 'edge', 'batch-ctx']);
    // descriptions for zsh and fish: the stack's own
    expect((await runCli(['__complete', 'zsh', 'plan', 'ap'], { cwd: project, env })).stdout).toBe('api\tthe api stack\napps\tthe apps stack\n');
    // a value with nothing to offer (a duration), and the tool's own words after "--" (file names)
    expect(await offered(['drain', 'api', '--drain-timeout', ''])).toEqual([]);
    expect(await offered(['kubectl', 'api', '--', 'get', ''])).toEqual([':files']);
    expect(await offered(['plan', '--out', ''])).toEqual([':files']);
  });

  it('--opt=value: bash, which splits the word at "=", gets the value alone; zsh and fish the whole word', async () => {
    expect(await offered(['plan', '--env', '=', 's'])).toEqual(['staging']);
    expect(await offered(['plan', '--env', '='])).toEqual(['dev', 'staging']);
    expect(await offered(['plan', '--env=s'], { shell: 'zsh' })).toEqual(['--env=staging']);
    expect(await offered(['plan', '--out=x'], { shell: 'fish' })).toEqual([':files']);
  });

  it('outside a project, or with a configuration that does not load: commands and options only, silently', async () => {
    const outside = mkdtempSync(path.join(tmpdir(), 'foundation-no-project-'));
    const broken = copyFixture('completion');
    const badSchema = copyFixture('completion');
    writeFileSync(path.join(broken, 'foundation.yaml'), 'environments: [\n');
    writeFileSync(path.join(badSchema, 'stacks', 'api', 'stack.yaml'), 'description: x\nnamespaces: [api]\nstate: {}\nunknown: field\n');
    try {
      for (const cwd of [outside, broken, badSchema]) {
        expect(await offered(['pl'], { cwd })).toEqual(['plan']);
        expect(await offered(['plan', ''], { cwd })).toEqual([]);
        expect(await offered(['plan', '--e'], { cwd })).toEqual(['--exclude', '--env']);
        expect(await offered(['cluster', 'status', ''], { cwd })).toEqual([]);
      }
      // the same broken project is an error for a command, as always
      expect((await runCli(['plan', 'api'], { cwd: broken, env })).stderr).toMatch(/^error: foundation\.yaml: not valid YAML/m);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('loads none of the heavy libraries', async () => {
    const result = await runCli(['__complete', 'bash', 'plan', 'a'], { cwd: project, env: { ...env, ...TRACE_MODULES } });
    expect(result.stdout.split('\n').filter(Boolean).map((line) => line.split('\t')[0])).toEqual(A_STACKS);
    for (const heavy of ['@aws-sdk/client-s3', '@kubernetes/client-node', '@gitbeaker/rest', 'listr2']) expect(loadedModules(result.stderr)).not.toContain(heavy);
  });
});

/** A bash word, single-quoted. */
const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

describe('foundation completion bash, in real bash', () => {
  /**
   * Sources the script, then for each line calls the function `complete -p foundation` names
   * with COMP_WORDS / COMP_CWORD / COMP_LINE / COMP_POINT set as readline sets them, and
   * prints COMPREPLY. `words` are bash's own split of the line (it breaks at "=" too).
   */
  async function completeInBash(lines: string[][]): Promise<string[][]> {
    const calls = lines.map((words) => {
      const line = words.join(' ');
      return `COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE=${quote(line)}; COMP_POINT=${line.length}; COMPREPLY=(); "$fn"; printf '%s\\n' "\${COMPREPLY[@]}" ---`;
    });
    const script = [
      'source <(foundation completion bash) || exit 1',
      // the function the script registered for foundation
      'fn=$(complete -p foundation | sed -nE "s/^complete -F ([^ ]+) foundation$/\\1/p"); [[ -n $fn ]] || exit 1',
      // readline's own option state exists only while it completes; record what is asked of it
      'compopt() { printf "compopt %s\\n" "$*"; }',
      ...calls,
    ].join('\n');
    const result = await execa('bash', ['--norc', '--noprofile', '-c', script], { cwd: project, env, extendEnv: false, reject: false, stripFinalNewline: false });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    return String(result.stdout).split('---\n').slice(0, -1).map((block) => block.split('\n').filter(Boolean));
  }

  it('source <(foundation completion bash): pl gives plan, plan a the stacks starting with a, state v versions', async () => {
    expect(await completeInBash([
      ['foundation', 'pl'],
      ['foundation', 'plan', 'a'],
      ['foundation', 'state', 'v'],
      ['foundation', 'plan', '--env', '=', 'st'],
      ['foundation', 'cluster', 'health', ''],
      ['foundation', 'plan', '--out', ''],
      ['foundation', 'zzz', ''],
    ])).toEqual([
      ['plan'],
      A_STACKS,
      ['versions'],
      ['staging'],
      ['lab', 'edge'],
      // file names: readline's default completion
      ['compopt -o default'],
      [],
    ]);
  });

  it('at a real terminal: Tab completes foundation pl to plan, and Tab Tab lists the stacks starting with a', async () => {
    const rc = path.join(home, 'bashrc');
    writeFileSync(rc, `PS1='READY> '\nset -o emacs\nbind 'set bell-style none'\nsource <(foundation completion bash)\n`);
    const terminal = openTerminal(`bash --noprofile --rcfile ${rc} -i`, { cwd: project, env });
    try {
      await terminal.waitFor((screen) => screen.includes('READY> '), 'the prompt');
      // Tab, then Ctrl-A and "echo LINE: " before the completed line: the shell prints what Tab made of it
      terminal.type('foundation pl\t\x01echo LINE: \n');
      expect(await terminal.waitFor((screen) => /^LINE: .*$/m.test(screen), 'the echoed line')).toMatch(/^LINE: foundation plan$/m);
      terminal.type('foundation plan a\t\t');
      const screen = await terminal.waitFor((s) => s.split('READY> foundation plan a').length > 2, 'the list and the prompt again');
      const list = screen.split('READY> foundation plan a')[1]!;
      expect(list.trim().split(/\s+/)).toEqual(A_STACKS);
      terminal.type('\x03exit\n');
    } finally {
      await terminal.close();
    }
  });
});

/** `<shell> -n` on the printed script: what the shell says about its syntax ('' when nothing). */
async function syntaxCheck(shell: 'zsh' | 'fish'): Promise<string> {
  const file = path.join(home, `completion.${shell}`);
  writeFileSync(file, (await runCli(['completion', shell], { cwd: project, env })).stdout);
  const result = await execa(shell, ['-n', file], { reject: false });
  return `${result.exitCode === 0 ? '' : `exit ${result.exitCode} `}${String(result.stderr)}`;
}

const hasZsh = Boolean(onPath('zsh', process.env));
const hasFish = Boolean(onPath('fish', process.env));

describe('foundation completion zsh and fish (each needs its shell on PATH; skipped without it)', () => {
  it.runIf(hasZsh)('zsh: the script parses (zsh -n), and at a real terminal Tab completes pl to plan and lists the a stacks with their descriptions', async () => {
    expect(await syntaxCheck('zsh')).toBe('');
    const zdotdir = path.join(home, 'zsh');
    mkdirSync(zdotdir, { recursive: true });
    writeFileSync(path.join(zdotdir, '.zshrc'), `PS1='READY> '\nbindkey -e\nautoload -Uz compinit && compinit -u -D\nsource <(foundation completion zsh)\n`);
    // -d: none of the machine's global zsh files, only the .zshrc above
    const terminal = openTerminal('zsh -d -i', { cwd: project, env: { ...env, ZDOTDIR: zdotdir } });
    try {
      await terminal.waitFor((screen) => screen.includes('READY> '), 'the prompt');
      terminal.type('foundation pl\t\x01echo LINE: \n');
      expect(await terminal.waitFor((screen) => /^LINE: .*$/m.test(screen), 'the echoed line')).toMatch(/^LINE: foundation plan$/m);
      terminal.type('foundation plan a\t');
      const screen = await terminal.waitFor((s) => /arc-runners\s+-- the arc-runners stack/.test(s), 'the list');
      const listed = [...screen.matchAll(/^(\S+)\s+-- the \1 stack/gm)].map((m) => m[1]);
      expect(listed).toEqual(A_STACKS);
      terminal.type('\x03exit\n');
    } finally {
      await terminal.close();
    }
  });

  it.runIf(hasFish)('fish: the script parses (fish -n), and fish\'s own completer (complete -C) offers plan, the a stacks, versions and --env=', async () => {
    expect(await syntaxCheck('fish')).toBe('');
    const lines = ['foundation pl', 'foundation plan a', 'foundation state v', 'foundation plan --env=s'];
    const fishScript = ['foundation completion fish | source', ...lines.flatMap((line) => [`complete -C${quote(line)}`, 'echo ---'])].join('\n');
    const result = await execa('fish', ['--no-config', '-c', fishScript], { cwd: project, env, extendEnv: false, reject: false, stripFinalNewline: false });
    expect(result.exitCode, result.stderr).toBe(0);
    const blocks = String(result.stdout).split('---\n').slice(0, -1).map((block) => block.split('\n').filter(Boolean).map((l) => l.split('\t')[0]));
    expect(blocks).toEqual([['plan'], A_STACKS, ['versions'], ['--env=staging']]);
  });
});

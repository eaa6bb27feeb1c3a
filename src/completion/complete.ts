import type { Argument, Command, Help, Option } from 'commander';
import { projectNames, type Candidate, type ProjectNames } from './names.js';

// `foundation __complete <shell> <words...>` is what the completion scripts (scripts.ts) run
// on each Tab: `words` are the words after `foundation` up to the cursor, the last one the
// word being completed ('' after a space). Commands, options and arguments come from the
// commander program itself, as --help shows them, so completion cannot drift from the CLI;
// names come from the project in the working directory, read only when a word takes one.

/** The command line before the word being completed. */
interface Line {
  command: Command;
  /** The command `command` was reached from (commander's implicit `help` command has no parent). */
  parent?: Command;
  /** The positional words given to `command`. */
  args: string[];
  /** Options given so far, to `command` or a parent. */
  given: Set<Option>;
  /** The last word was an option whose value is the word being completed. */
  pending?: Option;
  /** After `--`: the words are the pinned tool's (kubectl, talosctl). */
  passthrough: boolean;
}

interface Context {
  line: Line;
  help: Help;
  names: () => ProjectNames | undefined;
}

type Values = (context: Context) => Candidate[];

const fromProject = (pick: (names: ProjectNames, line: Line) => Candidate[]): Values => ({ names, line }) => {
  const project = names();
  return project ? pick(project, line) : [];
};
const stacks = fromProject((names) => names.stacks);
const clusters = fromProject((names) => names.clusters);

/** Option values, by the option's long flag. */
const OPTION_VALUES: Record<string, Values> = {
  '--env': fromProject((names) => names.environments),
  '--context': fromProject((names) => names.contexts),
  '--cluster': clusters,
  '--only': stacks,
  '--exclude': stacks,
  '--node': fromProject((names, line) => (clusterArgument(line.command) ? names.nodes(line.args[0] ?? '') : [])),
};

/** Positional values, by the argument's name in cli.ts; `help [command]` takes a command name. */
const ARGUMENT_VALUES: Record<string, Values> = {
  stack: stacks,
  stacks,
  'stack-and-args': stacks,
  cluster: clusters,
  'cluster-and-args': clusters,
  command: ({ line, help }) => (line.parent ? subcommands(help, line.parent).filter((c) => c.value !== 'help') : []),
};

/** The shell offers these words, or file names. */
type Completion = Candidate[] | 'files';

/** What to offer for `current`, after the words `before`. */
function complete(program: Command, before: string[], current: string, names: () => ProjectNames | undefined): Completion {
  const help = program.createHelp();
  const line = walk(help, program, before);
  const context = { line, help, names };
  const matching = (candidates: Candidate[]) => candidates.filter((c) => c.value.startsWith(current));
  if (line.pending) {
    const values = optionValues(line.pending, context);
    return values === 'files' ? values : matching(values);
  }
  if (line.passthrough) return 'files';
  if (current.startsWith('--') && current.includes('=')) {
    const flag = current.slice(0, current.indexOf('='));
    const option = findOption(help, line.command, flag);
    const values = option?.required ? optionValues(option, context) : [];
    return values === 'files' ? values : matching(values.map((c) => ({ ...c, value: `${flag}=${c.value}` })));
  }
  if (current.startsWith('-')) return matching(optionsToOffer(help, line));
  const candidates = line.args.length === 0 ? subcommands(help, line.command) : [];
  const argument = argumentAt(line.command, line.args.length);
  if (argument) {
    const values = ARGUMENT_VALUES[argument.name()]?.(context) ?? argument.argChoices?.map((value) => ({ value, description: '' })) ?? [];
    // A name given once is not offered again (plan a b <Tab>).
    candidates.push(...values.filter((c) => !line.args.includes(c.value)));
  }
  return matching(candidates);
}

/** The argument the next positional word is for; a `*-and-args` one takes one name, then the tool's own words. */
function argumentAt(command: Command, index: number): Argument | undefined {
  const declared = command.registeredArguments;
  const last = declared.at(-1);
  if (index < declared.length) return declared[index];
  return last?.variadic && !last.name().endsWith('-and-args') ? last : undefined;
}

/** Follows the words through the command tree: subcommands, options (and their values), arguments. */
function walk(help: Help, program: Command, words: string[]): Line {
  const line: Line = { command: program, args: [], given: new Set(), passthrough: false };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (line.passthrough) continue;
    if (word === '--') line.passthrough = true;
    else if (word.startsWith('-') && word !== '-') {
      const option = findOption(help, line.command, word.split('=', 1)[0]!);
      if (!option) continue;
      line.given.add(option);
      if (option.required && !word.includes('=')) {
        if (i === words.length - 1) line.pending = option;
        i++;
      }
    } else {
      const sub = line.args.length === 0 ? help.visibleCommands(line.command).find((c) => c.name() === word || c.aliases().includes(word)) : undefined;
      if (sub) [line.parent, line.command] = [line.command, sub];
      else line.args.push(word);
    }
  }
  return line;
}

/** The command's options and its parents' (the global ones), as its --help lists them. */
function optionsOf(help: Help, command: Command): Option[] {
  return [...help.visibleOptions(command), ...help.visibleGlobalOptions(command)];
}

function findOption(help: Help, command: Command, flag: string): Option | undefined {
  return optionsOf(help, command).find((o) => o.long === flag || o.short === flag);
}

/** Options not given yet; one that collects values (--only a --only b) may come again. */
function optionsToOffer(help: Help, line: Line): Candidate[] {
  return optionsOf(help, line.command)
    .filter((option) => !line.given.has(option) || option.parseArg !== undefined)
    .map((option) => ({ value: (option.long ?? option.short)!, description: option.description }));
}

function subcommands(help: Help, command: Command): Candidate[] {
  return help.visibleCommands(command).map((c) => ({ value: c.name(), description: c.description() }));
}

function optionValues(option: Option, context: Context): Completion {
  if (/<file>/.test(option.flags)) return 'files';
  const values = option.long ? OPTION_VALUES[option.long] : undefined;
  return values?.(context) ?? option.argChoices?.map((value) => ({ value, description: '' })) ?? [];
}

/** The command's first argument names a cluster (cluster apply <cluster>, talosctl <cluster>). */
function clusterArgument(command: Command): boolean {
  return ['cluster', 'cluster-and-args'].includes(command.registeredArguments[0]?.name() ?? '');
}

/**
 * bash splits `--env=dev` into `--env`, `=`, `dev` (COMP_WORDBREAKS); joined again here.
 * bash then replaces only the text after the `=`, so its candidates leave out `--env=`.
 */
function joinEquals(words: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const last = joined.at(-1);
    if (words[i] === '=' && last?.startsWith('--') && !last.includes('=')) joined[joined.length - 1] = `${last}=${words[++i] ?? ''}`;
    else joined.push(words[i]!);
  }
  return joined;
}

/**
 * Prints one candidate a line (`value<Tab>description`), or `:files` for file names.
 * Never an error: a message printed while completing would land in the operator's prompt.
 */
export function printCompletions(program: Command, [shell, ...words]: string[]): void {
  try {
    const typed = shell === 'bash' ? joinEquals(words) : words;
    const current = typed.at(-1) ?? '';
    let names: { value: ProjectNames | undefined } | undefined;
    const result = complete(program, typed.slice(0, -1), current, () => (names ??= { value: projectNames() }).value);
    if (result === 'files') {
      process.stdout.write(':files\n');
      return;
    }
    const cut = shell === 'bash' && current.startsWith('--') ? current.indexOf('=') + 1 : 0;
    process.stdout.write(result.map((c) => `${c.value.slice(cut)}\t${c.description.replace(/\s+/g, ' ').trim()}\n`).join(''));
  } catch {
    // nothing offered rather than an error
  }
}

// What the docs test checks, as functions it can also run on examples that must fail:
// the command tree as the built CLI's --help shows it, the commands and options the
// manual leaves out, and the links in markdown that lead nowhere.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runCli } from './cli.js';

export interface HelpCommand {
  /** The words after `foundation`: [] for the program, ['state', 'versions'] for a nested command. */
  path: string[];
  /** Long flags of the command's own options (its "Options:" section, not "Global Options:"). */
  options: string[];
  /** Names of the subcommands its "Commands:" section lists. */
  subcommands: string[];
  /** A group that only holds subcommands (usage `foundation state [options] [command]`): nothing to run on its own. */
  group: boolean;
}

/** The help sections of one `--help` page: "Options:", "Commands:", ... each with its entries' terms. */
export function parseHelp(text: string): { usage: string; sections: Map<string, string[]> } {
  const sections = new Map<string, string[]>();
  let usage = '';
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('Usage: ')) usage = line.slice('Usage: '.length).trim();
    const heading = /^([A-Z][A-Za-z ]*):$/.exec(line);
    if (heading) sections.set(heading[1]!, (current = []));
    else if (/^\S/.test(line)) current = undefined;
    // An entry starts two spaces in; its description is after a run of spaces, continuation lines further in.
    else if (current && /^ {2}\S/.test(line)) current.push(line.trim().split(/ {2,}/)[0]!);
  }
  return { usage, sections };
}

/** Every command of the built CLI, found by walking `foundation [path] --help` from the top. */
export async function helpTree(): Promise<HelpCommand[]> {
  const found: HelpCommand[] = [];
  const visit = async (commandPath: string[]): Promise<void> => {
    const result = await runCli([...commandPath, '--help'], { cwd: REPO_ROOT });
    if (result.exitCode !== 0) throw new Error(`foundation ${commandPath.join(' ')} --help exited ${result.exitCode}: ${result.stderr}`);
    const { usage, sections } = parseHelp(result.stdout);
    const options = (sections.get('Options') ?? []).flatMap((term) => term.match(/--[a-z][a-z0-9-]*/g) ?? []);
    // commander's implicit `help [command]`: documented once, as `foundation help`, not under every group.
    const subcommands = (sections.get('Commands') ?? []).map((term) => term.split(' ')[0]!).filter((name) => commandPath.length === 0 || name !== 'help');
    found.push({ path: commandPath, options, subcommands, group: subcommands.length > 0 && /\[command\]$/.test(usage) });
    await Promise.all(subcommands.filter((name) => name !== 'help').map((name) => visit([...commandPath, name])));
  };
  await visit([]);
  // `foundation help [command]` has no --help page of its own; it is a command all the same.
  if (found.find((c) => c.path.length === 0)?.subcommands.includes('help')) found.push({ path: ['help'], options: [], subcommands: [], group: false });
  return found.sort((a, b) => a.path.join(' ').localeCompare(b.path.join(' ')));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `foundation state versions` as written in prose, in a code block or a heading; for `drift`, not `drift accept`. */
export function mentionPattern(command: HelpCommand): RegExp {
  const subcommands = command.subcommands.filter((s) => s !== 'help');
  const notSub = subcommands.length ? `(?! (?:${subcommands.map(escape).join('|')})(?![\\w-]))` : '';
  return new RegExp(`(?<![\\w/-])foundation ${command.path.map(escape).join(' ')}(?![\\w-])${notSub}`);
}

/** `--out` but not `--output`, `--all` but not `--all-namespaces`. */
export function flagPattern(flag: string): RegExp {
  return new RegExp(`(?<![\\w-])${escape(flag)}(?![\\w-])`);
}

/** Removes fenced code blocks, for headings and links (a `# comment` in a block is no heading). */
function withoutFences(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** The headings of a markdown text (outside code blocks), with their line numbers and levels. */
function headings(text: string): Array<{ line: number; level: number; text: string }> {
  return withoutFences(text)
    .split('\n')
    .flatMap((line, index) => {
      const match = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
      return match ? [{ line: index, level: match[1]!.length, text: match[2]! }] : [];
    });
}

/**
 * The sections of a page, each from a heading of level 2 or deeper to the next heading of
 * its level or higher (so a section holds its subsections, code blocks included). "Near"
 * a command means in one of these with it: not just anywhere on its page.
 */
export function sections(text: string): string[] {
  const lines = text.split('\n');
  const all = headings(text);
  return all
    .filter((h) => h.level >= 2)
    .map((h) => {
      const end = all.find((next) => next.line > h.line && next.level <= h.level);
      return lines.slice(h.line, end ? end.line : lines.length).join('\n');
    });
}

/**
 * What the manual leaves out: each command that runs something must be mentioned
 * (`foundation state versions`), and each of its options must appear in a section that
 * mentions it; the program's own options (the global ones) anywhere. `--help`, on every
 * command, counts once, for the program.
 */
export function undocumented(commands: HelpCommand[], pages: Map<string, string>): string[] {
  const allSections = [...pages.values()].flatMap(sections);
  const everything = [...pages.values()].join('\n');
  const missing: string[] = [];
  for (const command of commands) {
    const name = ['foundation', ...command.path].join(' ');
    if (command.path.length === 0) {
      for (const flag of command.options) if (!flagPattern(flag).test(everything)) missing.push(`option ${flag} of ${name}`);
      continue;
    }
    if (command.group) continue;
    const mention = mentionPattern(command);
    const near = allSections.filter((section) => mention.test(section));
    if (near.length === 0) {
      missing.push(`command ${name}`);
      continue;
    }
    for (const flag of command.options.filter((f) => f !== '--help')) {
      if (!near.some((section) => flagPattern(flag).test(section))) missing.push(`option ${flag} of ${name}`);
    }
  }
  return missing;
}

/** GitHub's anchor for a heading (github-slugger): lowercase, punctuation dropped, spaces to "-". */
export function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page, numbered as GitHub numbers repeated headings (x, x-1, x-2). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings(text)) {
    const base = slug(heading.text);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** The link targets of a page: inline links and images outside code blocks and code spans. */
export function links(text: string): string[] {
  const prose = withoutFences(text).replace(/(`+)[\s\S]*?\1/g, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/**
 * The links of these pages (absolute path -> text) that lead nowhere: a relative file or
 * folder that does not exist, or an #anchor that no heading of the target page makes.
 * Pages not in the map are read from disk when a link points at them.
 */
export function brokenLinks(pages: Map<string, string>): string[] {
  const broken: string[] = [];
  const read = (file: string) => pages.get(file) ?? readFileSync(file, 'utf8');
  for (const [file, text] of pages) {
    for (const target of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
      const resolved = pathPart ? path.resolve(path.dirname(file), decodeURIComponent(pathPart)) : file;
      const where = `${path.relative(REPO_ROOT, file)}: ${target}`;
      if (!pages.has(resolved) && !existsSync(resolved)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith('.md') || (!pages.has(resolved) && statSync(resolved).isDirectory())) {
        broken.push(`${where} (an anchor into something that is not a markdown page)`);
      } else if (!anchors(read(resolved)).has(anchor)) {
        broken.push(`${where} (no heading makes #${anchor})`);
      }
    }
  }
  return broken;
}

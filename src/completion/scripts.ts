// The shell side of completion (shell/*, bundled as text by scripts/build.mjs): each script
// hands the words up to the cursor to `foundation __complete <shell> ...` (complete.ts) and
// offers what it prints, one `value<Tab>description` a line, or file names after a `:files`
// line. What completes stays in foundation, so a script never needs regenerating after an upgrade.
import bash from './shell/foundation.bash';
import fish from './shell/foundation.fish';
import zsh from './shell/foundation.zsh';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell): string {
  return { bash, zsh, fish }[shell];
}

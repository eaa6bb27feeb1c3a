import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The first executable file called `name` in the PATH directories. */
export function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const found = executable(path.join(dir, name));
    if (found) return found;
  }
  return undefined;
}

/** An override naming a path (has a "/") or a command looked up on PATH. */
export function resolveOverride(override: string, env: NodeJS.ProcessEnv): string | undefined {
  return override.includes('/') ? executable(path.resolve(override)) : onPath(override, env);
}

export function executable(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return undefined;
    accessSync(file, constants.X_OK);
    return file;
  } catch {
    return undefined;
  }
}

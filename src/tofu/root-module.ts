import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from '../config/project.js';
import { FoundationError } from '../ui/errors.js';

/** The file foundation writes when a root module declares no backend itself. */
export const GENERATED_BACKEND_BLOCK = 'backend.foundation.tf';

/** The root module's own configuration files (not the one foundation generates). */
export function rootModuleFiles(stack: Stack): string[] {
  if (!existsSync(stack.rootDir) || !statSync(stack.rootDir).isDirectory()) {
    throw new FoundationError(
      `stack "${stack.name}": root module directory ${stack.rootRel} does not exist`,
      `the stacks' root modules live in the infrastructure repository (tofu/stacks/<name>): run foundation in that checkout, or point "root" in ${stack.file} at the folder with the stack's .tf files (relative to ${path.dirname(stack.file)})`,
    );
  }
  const files = readdirSync(stack.rootDir)
    .filter((f) => (f.endsWith('.tf') || f.endsWith('.tf.json')) && f !== GENERATED_BACKEND_BLOCK)
    .sort();
  if (files.length === 0) {
    throw new FoundationError(
      `stack "${stack.name}": root module directory ${stack.rootRel} has no .tf files`,
      `set "root" in ${stack.file} to the folder that holds the stack's .tf files (relative to the stack's folder)`,
    );
  }
  return files;
}

/** The backend type the root module declares ("s3", "http", "cloud"...), with the file that declares it. */
export function declaredBackend(stack: Stack, files: string[]): { type: string; file: string } | undefined {
  for (const file of files) {
    const text = readFileSync(path.join(stack.rootDir, file), 'utf8');
    const type = file.endsWith('.json') ? backendInJson(text) : backendInHcl(text);
    if (type) return { type, file };
  }
  return undefined;
}

function backendInHcl(text: string): string | undefined {
  const code = stripHclComments(text);
  if (/^\s*cloud\s*\{/m.test(code)) return 'cloud';
  return /^\s*backend\s+"([^"]+)"\s*\{/m.exec(code)?.[1];
}

function backendInJson(text: string): string | undefined {
  try {
    const terraform = (JSON.parse(text) as { terraform?: unknown }).terraform;
    for (const block of Array.isArray(terraform) ? terraform : [terraform]) {
      const backend = (block as { backend?: Record<string, unknown> } | undefined)?.backend;
      if (backend && typeof backend === 'object') return Object.keys(backend)[0];
      if ((block as { cloud?: unknown } | undefined)?.cloud) return 'cloud';
    }
  } catch {
    // tofu itself reports invalid JSON with a better message than we could.
  }
  return undefined;
}

/** Drops # and // line comments and /* *\/ blocks; good enough to find top-level blocks. */
function stripHclComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*(#|\/\/).*$/gm, '');
}

/** Whether the root module calls modules (init must have installed them). */
export function callsModules(stack: Stack, files: string[]): boolean {
  return files.some((file) => /^\s*module\s+"[^"]+"\s*\{/m.test(stripHclComments(readFileSync(path.join(stack.rootDir, file), 'utf8'))));
}

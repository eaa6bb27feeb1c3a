import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

/**
 * Whether `tofu init` must run, decided the way Terragrunt's auto-init does: the working
 * directory was never initialized, was initialized against other backend settings, or
 * lacks the modules or providers its configuration needs. Returns the reason, or
 * undefined when the existing initialization is good.
 */
export function initNeeded(
  rootDir: string,
  expected: Record<string, unknown>,
  { callsModules, type = 's3' }: { callsModules: boolean; type?: string },
): string | undefined {
  const dotTerraform = path.join(rootDir, '.terraform');
  const recorded = readRecordedBackend(path.join(dotTerraform, 'terraform.tfstate'));
  if (!recorded) return 'not initialized';
  if (recorded.type !== type) return `initialized with backend "${recorded.type}"`;
  for (const [name, value] of Object.entries(expected)) {
    const actual = recorded.config[name];
    // tofu records every endpoint it knows with null for the unset ones.
    const comparable = isPlainObject(value) && isPlainObject(actual) ? withoutNulls(actual) : actual;
    if (!isDeepStrictEqual(comparable, value)) return `backend setting "${name}" changed`;
  }
  if (callsModules && !existsSync(path.join(dotTerraform, 'modules', 'modules.json'))) return 'modules not installed';
  if (locksProviders(rootDir) && !existsSync(path.join(dotTerraform, 'providers'))) return 'providers not installed';
  return undefined;
}

function readRecordedBackend(file: string): { type: string; config: Record<string, unknown> } | undefined {
  try {
    const backend = (JSON.parse(readFileSync(file, 'utf8')) as { backend?: { type?: string; config?: Record<string, unknown> } }).backend;
    return backend?.type ? { type: backend.type, config: backend.config ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

function locksProviders(rootDir: string): boolean {
  try {
    return /^provider\s+"/m.test(readFileSync(path.join(rootDir, '.terraform.lock.hcl'), 'utf8'));
  } catch {
    return false;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutNulls(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}

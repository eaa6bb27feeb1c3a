import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { parseDocument } from 'yaml';
import { FoundationError } from '../ui/errors.js';
import { PROJECT_FILE, STACK_FILE, type Project, type Stack } from './project.js';
import { foundationFileSchema, stackFileSchema, type FoundationFile, type StackFile } from './schema.js';

/** Reads and validates foundation.yaml and the stack files of the project in `dir` (config/load.ts caches the result). */
export function parseProject(dir: string): Project {
  const config = readValidated(dir, PROJECT_FILE, foundationFileSchema);
  checkEnvironmentClusters(config);
  const environments = Object.keys(config.environments);
  const stacksDir = path.join(dir, config.stacksDir ?? 'stacks');
  if (!existsSync(stacksDir)) {
    throw new FoundationError(`stacks folder ${path.relative(dir, stacksDir) || '.'} does not exist`, `create ${config.stacksDir ?? 'stacks'}/<name>/${STACK_FILE} for each stack`);
  }
  const stacks = new Map<string, Stack>();
  for (const entry of readdirSync(stacksDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || !existsSync(path.join(stacksDir, entry.name, STACK_FILE))) continue;
    const file = path.relative(dir, path.join(stacksDir, entry.name, STACK_FILE));
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(entry.name)) {
      throw new FoundationError(`${file}: stack folder name "${entry.name}" is not a valid stack name`, 'rename the folder to lowercase letters, digits, ".", "_" or "-"');
    }
    const spec = readValidated(dir, file, stackFileSchema);
    checkEnvironmentNames(file, spec, environments);
    const stackDir = path.join(stacksDir, entry.name);
    const rootDir = path.resolve(stackDir, spec.root);
    stacks.set(entry.name, { name: entry.name, dir: stackDir, file, rootDir, rootRel: path.relative(dir, rootDir) || '.', spec });
  }
  for (const stack of stacks.values()) {
    stack.spec.dependsOn.forEach((dep, i) => {
      if (!stacks.has(dep)) {
        throw new FoundationError(
          `${stack.file}: field "dependsOn.${i}": unknown stack "${dep}"`,
          `known stacks: ${[...stacks.keys()].join(', ')}`,
        );
      }
    });
  }
  return { dir, config, stacks };
}

/** An environment's cluster must exist, and a kubeContext beside it must be the cluster's own. */
function checkEnvironmentClusters(config: FoundationFile): void {
  for (const [env, spec] of Object.entries(config.environments)) {
    if (!spec.cluster) continue;
    const cluster = config.clusters?.[spec.cluster];
    if (!cluster) {
      throw new FoundationError(
        `${PROJECT_FILE}: field "environments.${env}.cluster": unknown cluster "${spec.cluster}"`,
        `clusters defined in ${PROJECT_FILE}: ${Object.keys(config.clusters ?? {}).join(', ') || 'none'}`,
      );
    }
    if (spec.kubeContext && spec.kubeContext !== cluster.kubeContext) {
      throw new FoundationError(
        `${PROJECT_FILE}: field "environments.${env}.kubeContext": "${spec.kubeContext}" is not cluster ${spec.cluster}'s context "${cluster.kubeContext}"`,
        `drop kubeContext from environments.${env}: the cluster names it`,
      );
    }
  }
}

/** Per-ENV maps must only name environments that foundation.yaml defines: a typo would silently never apply. */
function checkEnvironmentNames(file: string, spec: StackFile, environments: string[]): void {
  const maps: Array<[string, Record<string, unknown>]> = [
    ['state.keys', spec.state.keys],
    ['kubeContext', spec.kubeContext],
    ['varFiles', spec.varFiles],
    ['backend', spec.backend ?? {}],
    ['environments', Object.fromEntries((spec.environments ?? []).map((env) => [env, true]))],
  ];
  for (const [field, map] of maps) {
    for (const env of Object.keys(map)) {
      if (!environments.includes(env)) {
        throw new FoundationError(
          `${file}: field "${field}.${env}": unknown environment "${env}"`,
          `environments defined in ${PROJECT_FILE}: ${environments.join(', ')}`,
        );
      }
    }
  }
}

function readValidated<S extends v.GenericSchema>(projectDir: string, file: string, schema: S): v.InferOutput<S> {
  const text = readFileSync(path.join(projectDir, file), 'utf8');
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw new FoundationError(
      `${file}: not valid YAML${line ? ` at line ${line}` : ''}: ${yamlError.message.split('\n')[0]!.replace(/ at line \d+, column \d+:$/, '')}`,
      `fix the YAML syntax in ${file}`,
    );
  }
  const result = v.safeParse(schema, doc.toJS() ?? {});
  if (result.success) return result.output;
  const [first, ...rest] = result.issues;
  const where = (issue: v.BaseIssue<unknown>) => v.getDotPath(issue) ?? '(top level)';
  const more = rest.length ? ` (and ${rest.length} more: ${rest.map((i) => `"${where(i)}"`).join(', ')})` : '';
  throw new FoundationError(
    `${file}: field "${where(first!)}": ${describeIssue(first!)}${more}`,
    `fix ${file}; docs/configuration.md lists every field`,
  );
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object' && issue.expected === 'never') return 'unknown field';
  if (issue.kind === 'schema' && issue.received === 'undefined') return `is required (${issue.expected})`;
  if (issue.kind === 'schema') return `expected ${issue.expected}, got ${issue.received}`;
  return issue.message;
}

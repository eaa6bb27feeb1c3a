import type { FoundationFile, StackFile } from './schema.js';

/** The project's shape, shared by loading, parsing and caching (config/load.ts, parse.ts, cache.ts). */
export const PROJECT_FILE = 'foundation.yaml';
export const STACK_FILE = 'stack.yaml';

export interface Stack {
  name: string;
  /** Absolute path of stacks/<name>. */
  dir: string;
  /** stack.yaml relative to the project, for messages. */
  file: string;
  /** Absolute path of the OpenTofu root module. */
  rootDir: string;
  /** The root module relative to the project, for messages and listings. */
  rootRel: string;
  spec: StackFile;
}

export interface Project {
  dir: string;
  config: FoundationFile;
  /** Stacks by name, in directory order; dependency order comes from orchestrate/graph. */
  stacks: Map<string, Stack>;
}

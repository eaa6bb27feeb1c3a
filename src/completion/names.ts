import { loadProject } from '../config/load.js';
import { type Project } from '../config/project.js';

/** One word the shell may offer, with what zsh and fish show beside it. */
export interface Candidate {
  value: string;
  description: string;
}

/** The names a command line takes from the project in the working directory. */
export interface ProjectNames {
  stacks: Candidate[];
  environments: Candidate[];
  clusters: Candidate[];
  /** The kube contexts foundation.yaml and the stack files name. */
  contexts: Candidate[];
  /** A cluster's nodes as --node takes them: by name, by address when unnamed. */
  nodes: (cluster: string) => Candidate[];
}

/**
 * Read through the configuration cache (config/load.ts), so an unchanged project costs no
 * YAML parsing. Undefined outside a project or when its configuration does not load:
 * completion then offers commands and options only, and says nothing.
 */
export function projectNames(): ProjectNames | undefined {
  let project: Project;
  try {
    project = loadProject();
  } catch {
    return undefined;
  }
  const { config } = project;
  const clusters = config.clusters ?? {};
  const contexts = [
    ...Object.values(config.environments).map((env) => env.kubeContext),
    ...Object.values(clusters).map((cluster) => cluster.kubeContext),
    ...[...project.stacks.values()].flatMap((stack) => Object.values(stack.spec.kubeContext)),
  ];
  return {
    stacks: [...project.stacks.values()].map((stack) => ({ value: stack.name, description: stack.spec.description })),
    environments: Object.entries(config.environments).map(([name, env]) => ({ value: name, description: env.description ?? '' })),
    clusters: Object.entries(clusters).map(([name, cluster]) => ({ value: name, description: cluster.description ?? '' })),
    contexts: [...new Set(contexts)].flatMap((context) => (context ? [{ value: context, description: 'kube context' }] : [])),
    nodes: (name) => {
      const cluster = clusters[name];
      if (!cluster) return [];
      // --node is talosctl's: a contract cluster (not provisioned by foundation) has none to offer.
      if ('distribution' in cluster) return [];
      const nodes = [...cluster.nodes.controlPlane.map((node) => ({ node, role: 'control plane' })), ...cluster.nodes.workers.map((node) => ({ node, role: 'worker' }))];
      return nodes.map(({ node, role }) => ({ value: node.name ?? node.address, description: `${role}, ${node.address}` }));
    },
  };
}

import * as v from 'valibot';
import { compileRule } from '../drift/ignore.js';

// Names that end up in paths, state keys and Kubernetes objects: keep them plain.
const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const nameSchema = v.pipe(v.string(), v.regex(NAME, 'must be lowercase letters, digits, ".", "_" or "-"'));
const nonEmpty = v.pipe(v.string(), v.minLength(1, 'must not be empty'));
const envVarName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'));

const backendEnvSchema = v.strictObject({
  endpoint: v.optional(envVarName),
  bucket: v.optional(envVarName),
  accessKey: v.optional(envVarName),
  secretKey: v.optional(envVarName),
  region: v.optional(envVarName),
});

const s3BackendSchema = v.strictObject({
  region: v.optional(nonEmpty),
  env: v.optional(backendEnvSchema),
});

// ---- clusters: Talos clusters foundation brings up (docs/clusters.md, "Talos clusters") ----
// talosctl health takes node IPs (not names), so addresses must be IP literals.
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipAddress = v.pipe(v.string(), v.check((a) => IPV4.test(a) || (a.includes(':') && /^[0-9a-fA-F:.]+$/.test(a)), 'must be an IPv4 or IPv6 address'));
const clusterNodeSchema = v.strictObject({ address: ipAddress, name: v.optional(nameSchema) });
const nodeListSchema = v.array(clusterNodeSchema);
const patchListSchema = v.optional(v.array(nonEmpty), []);
const versionSchema = v.pipe(v.string(), v.regex(/^v\d+\.\d+\.\d+$/, 'must be a version such as v1.11.5'));

export const clusterSchema = v.strictObject({
  description: v.optional(v.string()),
  /** The Kubernetes API URL the machine configs carry (talosctl gen config's <cluster endpoint>). */
  endpoint: v.pipe(v.string(), v.regex(/^https:\/\/[^/\s]+$/, 'must be an https:// URL such as https://192.0.2.10:6443')),
  /** Talos API endpoints talosctl talks to (--endpoints): control-plane addresses. */
  talosEndpoints: v.pipe(v.array(ipAddress), v.minLength(1, 'must list at least one Talos endpoint')),
  nodes: v.strictObject({
    controlPlane: v.pipe(nodeListSchema, v.minLength(1, 'must list at least one control-plane node')),
    workers: v.optional(nodeListSchema, []),
  }),
  talosVersion: versionSchema,
  kubernetesVersion: versionSchema,
  /** Machine-config patch files, relative to the project. */
  patches: v.optional(v.strictObject({ common: patchListSchema, controlPlane: patchListSchema, worker: patchListSchema }), { common: [], controlPlane: [], worker: [] }),
  /** The kube context `cluster kubeconfig` writes and kubectl is pinned to. */
  kubeContext: nonEmpty,
  /** The environment variable holding the secrets bundle's path (outside the repository). */
  secretsBundleEnv: envVarName,
  readiness: v.optional(
    v.strictObject({
      /** CRDs (<plural>.<group>) a secrets operator must have installed. */
      secretsOperatorCrds: v.optional(v.array(nonEmpty), []),
      /** The Deployment whose availability proves the cluster runs workloads. */
      exitProof: v.optional(v.strictObject({ namespace: nameSchema, deployment: nameSchema })),
    }),
    { secretsOperatorCrds: [] },
  ),
});

// ---- clusters foundation does not provision (docs/clusters.md, "The cluster contract") ----
// A cluster described by the deployment contract: its distribution, its nodes by name and
// role, and access rules, each a claim `cluster status` checks against the live API.
const ROLE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** Distributions that show in the nodes' kubelet versions (v1.31.4+rke2r1, v1.31.4+k3s1). */
export const CONTRACT_DISTRIBUTIONS = ['rke2', 'k3s'] as const;
const tailnetOnlySchema = v.pipe(
  v.strictObject({
    /** The Ingress's class (spec.ingressClassName, or the older kubernetes.io/ingress.class annotation) is one of these... */
    ingressClassNames: v.optional(v.array(nameSchema), []),
    /** ...or it carries all of these annotations with these values. */
    annotations: v.optional(v.record(nonEmpty, v.string()), {}),
    /** Hostnames in status.loadBalancer.ingress that are private (IPs must be private addresses). */
    privateHostnames: v.optional(v.array(v.pipe(v.string(), v.startsWith('.', 'must be a domain suffix such as .ts.net'))), ['.ts.net']),
  }),
  v.check((t) => t.ingressClassNames.length > 0 || Object.keys(t.annotations).length > 0, 'needs ingressClassNames or annotations: what keeps the Ingress on the tailnet'),
);
const accessRuleSchema = v.strictObject({
  /** A short name for the claim, shown on its line. */
  name: nameSchema,
  description: v.optional(v.string()),
  ingress: v.strictObject({ namespace: nameSchema, name: nameSchema }),
  tailnetOnly: tailnetOnlySchema,
});
export const contractClusterSchema = v.strictObject({
  description: v.optional(v.string()),
  distribution: v.picklist(CONTRACT_DISTRIBUTIONS),
  kubeContext: nonEmpty,
  nodes: v.pipe(
    v.array(
      v.strictObject({
        name: nameSchema,
        /** The node carries the label node-role.kubernetes.io/<role>. */
        role: v.pipe(v.string(), v.regex(ROLE, 'must be a label name part: letters, digits, "-", "_", ".", at most 63')),
        description: v.optional(v.string()),
      }),
    ),
    v.minLength(1, 'must list at least one node'),
  ),
  access: v.optional(v.array(accessRuleSchema), []),
  /** Stack namespaces the contract allows to be absent ("dependencies where present"). */
  optionalNamespaces: v.optional(v.array(nameSchema), []),
});

const environmentSchema = v.pipe(
  v.strictObject({
    kubeContext: v.optional(nonEmpty),
    /** The cluster (under clusters:) the environment lives in; its kubeContext is the environment's. */
    cluster: v.optional(nameSchema),
    description: v.optional(v.string()),
    backend: v.optional(s3BackendSchema),
  }),
  v.check((e) => Boolean(e.kubeContext ?? e.cluster), 'needs kubeContext or cluster'),
);
// ---- roadmap (`foundation roadmap`; docs/roadmap.md) ----
/** An issue reference with its full project path: mson/runners#5. */
export const ISSUE_REFERENCE = /^([A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)+)#(\d+)$/;
const issueReferenceSchema = v.pipe(v.string(), v.regex(ISSUE_REFERENCE, 'must be an issue reference such as mson/runners#5'));
const phaseNumberSchema = v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0, 'must be 0 or more'));
const roadmapSchema = v.strictObject({
  gitlab: v.strictObject({
    /** The group (full path) whose milestones hold the phases. */
    group: nonEmpty,
  }),
  /** A group milestone whose title matches this (case-insensitive) looks like a phase. */
  phasePattern: v.optional(nonEmpty, '^phase\\s*\\d+'),
  phases: v.pipe(
    v.array(
      v.strictObject({
        number: phaseNumberSchema,
        title: nonEmpty,
        /** The group milestone's title. */
        milestone: nonEmpty,
        dependsOn: v.optional(v.array(phaseNumberSchema), []),
        /** A dependency that applies to one issue of this phase only. */
        partialDependencies: v.optional(
          v.array(v.strictObject({ issue: issueReferenceSchema, phase: phaseNumberSchema, reason: v.optional(nonEmpty) })),
          [],
        ),
      }),
    ),
    v.minLength(1, 'must list at least one phase'),
  ),
  exitProof: v.strictObject({
    /** Closed when the proof is done. */
    issue: issueReferenceSchema,
    /** The phase that delivers it (default: the last phase). */
    phase: v.optional(phaseNumberSchema),
    /** A Deployment that must be available (condition Available=True) in a kube context. */
    liveCheck: v.strictObject({ context: nonEmpty, namespace: nameSchema, deployment: nameSchema }),
  }),
});
export type RoadmapConfig = v.InferOutput<typeof roadmapSchema>;

export const foundationFileSchema = v.strictObject({
  stacksDir: v.optional(nonEmpty),
  environments: v.pipe(
    v.record(nameSchema, environmentSchema),
    v.check((envs) => Object.keys(envs).length > 0, 'must define at least one environment'),
  ),
  backend: v.optional(v.strictObject({ s3: v.optional(s3BackendSchema) })),
  // A cluster with a `distribution` is one foundation does not provision; the others are Talos clusters.
  clusters: v.optional(v.record(nameSchema, v.lazy((input) => (typeof input === 'object' && input !== null && 'distribution' in input ? contractClusterSchema : clusterSchema)))),
  roadmap: v.optional(roadmapSchema),
});

// A state key is an S3 object key: relative, no "..", no spaces.
const stateKeySchema = v.pipe(
  nonEmpty,
  v.check((k) => !k.startsWith('/') && !k.split('/').includes('..') && !/\s/.test(k), 'must be a relative S3 key without "..", spaces or a leading "/"'),
);
const keyTemplateSchema = v.pipe(
  stateKeySchema,
  v.check((t) => (t.match(/\{[^}]*\}/g) ?? []).every((p) => p === '{env}' || p === '{stack}'), 'may only use the placeholders {env} and {stack}'),
);

export const DURATION = /^(\d+)(ms|s|m|h)$/;
const durationSchema = v.pipe(v.string(), v.regex(DURATION, 'must be a duration such as 90s, 30m or 1h'));

/** ARC scale sets to drain before `tofu apply` (docs/drain.md). */
const drainSchema = v.pipe(
  v.strictObject({
    namespace: nameSchema,
    scaleSets: v.optional(v.pipe(v.array(nameSchema), v.minLength(1, 'must name at least one scale set'))),
    selector: v.optional(nonEmpty),
    timeout: v.optional(durationSchema, '30m'),
    /** How long a restore keeps retrying the API before it gives up and names the sets left at 0/0. */
    restoreBudget: v.optional(durationSchema, '5m'),
    /** How long the API may not answer while the drain waits for busy runners before it gives up. */
    apiOutage: v.optional(durationSchema, '3m'),
  }),
  v.check((d) => Boolean(d.scaleSets) !== Boolean(d.selector), 'needs exactly one of scaleSets (names) or selector (a label selector)'),
);

/** drift.ignore: Flux helm-controller's driftDetection.ignore rules (docs/drift.md, "Ignore rules"). */
const ignoreRuleSchema = v.pipe(
  v.strictObject({
    paths: v.pipe(v.array(v.pipe(v.string(), v.startsWith('/', 'must be a JSON Pointer such as /spec/replicas'))), v.minLength(1, 'must list at least one path')),
    target: v.optional(
      v.strictObject({
        group: v.optional(v.string()),
        version: v.optional(v.string()),
        kind: v.optional(v.string()),
        name: v.optional(v.string()),
        namespace: v.optional(v.string()),
        labelSelector: v.optional(v.string()),
        annotationSelector: v.optional(v.string()),
      }),
    ),
  }),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || dataset.issues) return;
    try {
      compileRule(dataset.value);
    } catch (error) {
      addIssue({ message: (error as Error).message.replace(/^Invalid regular expression: /, 'invalid regular expression: ') });
    }
  }),
);

export const stackFileSchema = v.strictObject({
  description: nonEmpty,
  namespaces: v.pipe(v.array(nameSchema), v.minLength(1, 'must list at least one namespace')),
  dependsOn: v.optional(v.array(nameSchema), []),
  root: v.optional(nonEmpty, '.'),
  state: v.strictObject({
    keys: v.optional(v.record(nameSchema, stateKeySchema), {}),
    keyTemplate: v.optional(keyTemplateSchema),
  }),
  kubeContext: v.optional(v.record(nameSchema, nonEmpty), {}),
  varFiles: v.optional(v.record(nameSchema, v.array(nonEmpty)), {}),
  /** The ENVs the stack is deployed in (default: all). */
  environments: v.optional(v.pipe(v.array(nameSchema), v.minLength(1, 'must list at least one environment'))),
  /** Extra files, as globs relative to the project, whose changes select the stack for --changed-since. */
  watch: v.optional(v.array(nonEmpty), []),
  /** Per ENV: "s3" (the default) or "gitlab-http", GitLab-managed HTTP state kept for compatibility only. */
  backend: v.optional(v.record(nameSchema, v.picklist(['s3', 'gitlab-http']))),
  /** Where GitLab keeps the state of the ENVs whose backend is gitlab-http. */
  gitlab: v.optional(
    v.strictObject({
      /** The GitLab instance, e.g. https://gitlab.example.com (default: $CI_SERVER_URL). */
      url: v.optional(v.pipe(v.string(), v.regex(/^https?:\/\/[^/\s]+(\/[^\s]*)?$/, 'must be an http(s) URL'))),
      /** Numeric project id or full path (group/project). */
      project: v.union([v.pipe(v.number(), v.integer(), v.minValue(1)), nonEmpty]),
      /** The state's name in GitLab; may use {env} and {stack}. */
      stateName: v.optional(v.pipe(nonEmpty, v.check((t) => !/[/\s]/.test(t.replaceAll('{env}', '').replaceAll('{stack}', '')), 'must not contain "/" or spaces')), '{stack}'),
    }),
  ),
  apply: v.optional(
    v.strictObject({
      /** false: only an operator applies this stack; apply in CI is refused (exit 3). */
      allowInCI: v.optional(v.boolean(), true),
      drain: v.optional(drainSchema),
    }),
    { allowInCI: true },
  ),
  drift: v.optional(v.strictObject({ ignore: v.optional(v.array(ignoreRuleSchema)) })),
});

export type FoundationFile = v.InferOutput<typeof foundationFileSchema>;
export type ClusterConfig = v.InferOutput<typeof clusterSchema>;
export type ContractClusterConfig = v.InferOutput<typeof contractClusterSchema>;
export type StackFile = v.InferOutput<typeof stackFileSchema>;
export type DrainConfig = v.InferOutput<typeof drainSchema>;
export type BackendEnvNames = Required<v.InferOutput<typeof backendEnvSchema>>;

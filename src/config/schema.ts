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

export const foundationFileSchema = v.strictObject({
  stacksDir: v.optional(nonEmpty),
  environments: v.pipe(
    v.record(nameSchema, v.strictObject({ kubeContext: nonEmpty, description: v.optional(v.string()), backend: v.optional(s3BackendSchema) })),
    v.check((envs) => Object.keys(envs).length > 0, 'must define at least one environment'),
  ),
  backend: v.optional(v.strictObject({ s3: v.optional(s3BackendSchema) })),
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

/** ARC scale sets to drain before `tofu apply` (see the README's "ARC drain guard"). */
const drainSchema = v.pipe(
  v.strictObject({
    namespace: nameSchema,
    scaleSets: v.optional(v.pipe(v.array(nameSchema), v.minLength(1, 'must name at least one scale set'))),
    selector: v.optional(nonEmpty),
    timeout: v.optional(durationSchema, '30m'),
  }),
  v.check((d) => Boolean(d.scaleSets) !== Boolean(d.selector), 'needs exactly one of scaleSets (names) or selector (a label selector)'),
);

/** drift.ignore: Flux helm-controller's driftDetection.ignore rules (see the README's "foundation drift"). */
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
export type StackFile = v.InferOutput<typeof stackFileSchema>;
export type DrainConfig = v.InferOutput<typeof drainSchema>;
export type BackendEnvNames = Required<v.InferOutput<typeof backendEnvSchema>>;

// ObjectMeta's label and annotation rules, as ValidateObjectMetaAccessor applies them on
// every create and update of every kind, custom resources included (apimachinery v0.32
// pkg/api/validation/objectmeta.go ValidateAnnotations, pkg/apis/meta/v1/validation
// ValidateLabels, pkg/util/validation IsQualifiedName / IsValidLabelValue), with their messages.
import type { KubeObject } from './objects.js';
import { isObject } from './objects.js';
import type { FieldError } from './resources.js';

/** TotalAnnotationSizeLimitB: the sum of every key's and value's length in bytes. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** validation.RegexError: the message, the examples, the regex. */
function regexError(message: string, format: string, ...examples: string[]): string {
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

/** validation.IsQualifiedName: an optional DNS-1123 subdomain prefix and "/", then a name of at most 63. */
export function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') errors.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errors.push('prefix part must be no more than 253 characters');
      if (!new RegExp(`^${DNS1123_SUBDOMAIN}$`).test(prefix)) errors.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN, 'example.com')}`);
    }
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push('name part must be no more than 63 characters');
  if (!new RegExp(`^${QUALIFIED_NAME_FMT}$`).test(name)) errors.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errors;
}

function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!new RegExp(`^${LABEL_VALUE_FMT}$`).test(value)) errors.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errors;
}

/** field.Invalid's text: `Invalid value: "<value>": <message>`. */
function invalid(field: string, value: string, message: string): FieldError {
  return { field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` };
}

/** The label and annotation errors of an object, in the order the apiserver reports them. */
export function metadataErrors(obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const labels = isObject(obj.metadata.labels) ? (obj.metadata.labels as Record<string, string>) : {};
  for (const [key, value] of Object.entries(labels)) {
    errors.push(...qualifiedNameErrors(key).map((m) => invalid('metadata.labels', key, m)));
    errors.push(...labelValueErrors(String(value)).map((m) => invalid('metadata.labels', String(value), m)));
  }
  const annotations = isObject(obj.metadata.annotations) ? (obj.metadata.annotations as Record<string, string>) : {};
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    // "The rule is QualifiedName except that case doesn't matter": the key is checked lowercased, shown as given.
    errors.push(...qualifiedNameErrors(key.toLowerCase()).map((m) => invalid('metadata.annotations', key, m)));
    size += Buffer.byteLength(key) + Buffer.byteLength(String(value));
  }
  // field.TooLong: the value is omitted from the message.
  if (size > ANNOTATIONS_LIMIT_BYTES) errors.push({ field: 'metadata.annotations', message: `Too long: may not be more than ${ANNOTATIONS_LIMIT_BYTES} bytes` });
  return errors;
}

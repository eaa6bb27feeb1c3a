// labelSelector and fieldSelector query parameters, with the apiserver's grammar and errors.
import { badRequest } from './errors.js';
import type { KubeObject } from './objects.js';
import { valueAt } from './objects.js';

type Selector = (obj: KubeObject) => boolean;

const matchAll: Selector = () => true;

/** Splits on commas that are not inside `in (a,b)` value sets. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim());
}

function labelRequirement(term: string): Selector {
  const labels = (obj: KubeObject) => obj.metadata.labels ?? {};
  let m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m) {
    const [, key, op, list] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (obj) => key in labels(obj) && values.has(labels(obj)[key])
      : (obj) => !(key in labels(obj)) || !values.has(labels(obj)[key]);
  }
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (m) {
    const [, key, op, value] = m;
    return op === '!=' ? (obj) => labels(obj)[key] !== value : (obj) => labels(obj)[key] === value;
  }
  m = /^(!?)\s*([^\s=!(),]+)$/.exec(term);
  if (m) {
    const [, not, key] = m;
    return not ? (obj) => !(key in labels(obj)) : (obj) => key in labels(obj);
  }
  throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
}

export function parseLabelSelector(text: string | null): Selector {
  if (!text?.trim()) return matchAll;
  return every(splitTerms(text).map(labelRequirement));
}

/** metadata.name and metadata.namespace work for every kind; others only where the kind registers them. */
export function parseFieldSelector(text: string | null, extraLabels: string[] = []): Selector {
  if (!text?.trim()) return matchAll;
  const supported = new Set(['metadata.name', 'metadata.namespace', ...extraLabels]);
  return every(
    splitTerms(text).map((term) => {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const [, label, op, value] = m;
      if (!supported.has(label)) throw badRequest(`field label not supported: ${label}`);
      const actual = (obj: KubeObject) => String(valueAt(obj, label) ?? '');
      return op === '!=' ? (obj: KubeObject) => actual(obj) !== value : (obj: KubeObject) => actual(obj) === value;
    }),
  );
}

function every(selectors: Selector[]): Selector {
  return (obj) => selectors.every((s) => s(obj));
}

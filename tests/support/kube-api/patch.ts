// JSON merge patch (RFC 7386) and JSON patch (RFC 6902), applied the way the apiserver
// does: a malformed JSON patch is 400, one that does not apply is 422.
import { ApiError, badRequest } from './errors.js';
import { clone, isObject, sameJson } from './objects.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: 'add' | 'remove' | 'replace' | 'test' | 'move' | 'copy';
  path: string;
  value?: unknown;
  from?: string;
}

const ops = new Set(['add', 'remove', 'replace', 'test', 'move', 'copy']);

function decode(patch: unknown): Operation[] {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return patch.map((op: unknown) => {
    if (!isObject(op) || typeof op.op !== 'string' || !ops.has(op.op) || typeof op.path !== 'string') {
      throw badRequest(`Unexpected kind: ${JSON.stringify(op)}`);
    }
    return op as unknown as Operation;
  });
}

function unprocessable(message: string): ApiError {
  return new ApiError(422, message);
}

/** `/metadata/labels/a~1b` → ['metadata', 'labels', 'a/b']. */
function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw unprocessable(`invalid JSON pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** The parent container of the pointer's last token, and that token. */
function locate(doc: unknown, path: string): { parent: Container; key: string } {
  const tokens = pointer(path);
  const key = tokens.pop();
  if (key === undefined) throw unprocessable('replacing the whole document is not supported');
  let current: unknown = doc;
  for (const token of tokens) {
    current = Array.isArray(current) ? current[Number(token)] : isObject(current) ? current[token] : undefined;
    if (current === undefined) throw unprocessable(`doc is missing path: "${path}": missing value`);
  }
  if (!Array.isArray(current) && !isObject(current)) throw unprocessable(`doc is missing path: "${path}"`);
  return { parent: current, key };
}

function arrayIndex(array: unknown[], key: string, path: string, allowEnd: boolean): number {
  if (allowEnd && key === '-') return array.length;
  const index = Number(key);
  if (!/^\d+$/.test(key) || index > array.length || (!allowEnd && index === array.length)) {
    throw unprocessable(`Unable to access invalid index: ${key}: invalid index referenced: "${path}"`);
  }
  return index;
}

function read(doc: unknown, path: string): unknown {
  const { parent, key } = locate(doc, path);
  const value = Array.isArray(parent) ? parent[arrayIndex(parent, key, path, false)] : parent[key];
  if (value === undefined) throw unprocessable(`doc is missing key: "${path}": missing value`);
  return value;
}

function add(doc: unknown, path: string, value: unknown): void {
  const { parent, key } = locate(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, path, true), 0, clone(value));
  else parent[key] = clone(value);
}

function remove(doc: unknown, path: string): unknown {
  const value = read(doc, path);
  const { parent, key } = locate(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return value;
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  const doc = clone(target);
  for (const op of decode(patch)) {
    switch (op.op) {
      case 'add':
        add(doc, op.path, op.value);
        break;
      case 'remove':
        remove(doc, op.path);
        break;
      case 'replace':
        remove(doc, op.path);
        add(doc, op.path, op.value);
        break;
      case 'test':
        if (!sameJson(read(doc, op.path), op.value)) {
          throw unprocessable(`testing value ${op.path} failed: test failed`);
        }
        break;
      case 'move':
        add(doc, op.path, remove(doc, op.from ?? ''));
        break;
      case 'copy':
        add(doc, op.path, read(doc, op.from ?? ''));
        break;
    }
  }
  return doc;
}

// Server-side printing: plain `kubectl get` asks for a meta.k8s.io/v1 Table
// (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`) and prints its columns verbatim.
import type { KubeObject } from './objects.js';
import { valueAt } from './objects.js';

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  description?: string;
  /** 0 shows in `kubectl get`, 1 only with `-o wide`. */
  priority?: number;
  value(obj: KubeObject): unknown;
}

/** A CRD additionalPrinterColumn: a jsonPath into the object. */
export function printerColumn(name: string, type: Column['type'], jsonPath: string): Column {
  return { name, type, description: jsonPath, value: (obj) => valueAt(obj, jsonPath) };
}

export const ageColumn: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  value: (obj) => humanDuration(obj.metadata.creationTimestamp),
};

const nameColumn = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
};

/** The table for a list (or a single object), rows carrying partial metadata unless asked for the object. */
export function toTable(
  objects: KubeObject[],
  columns: Column[],
  listMeta: Record<string, unknown>,
  includeObject: string | null,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: [
      nameColumn,
      ...columns.map(({ name, type, description, priority }) => ({
        name,
        type: type === 'date' ? 'string' : type,
        format: '',
        description: description ?? '',
        priority: priority ?? 0,
      })),
    ],
    rows: objects.map((obj) => ({
      cells: [obj.metadata.name, ...columns.map((column) => cell(column, obj))],
      object: rowObject(obj, includeObject),
    })),
  };
}

function cell(column: Column, obj: KubeObject): unknown {
  const value = column.value(obj);
  if (value === undefined) return null; // kubectl prints <none>
  return column.type === 'date' ? humanDuration(value) : value;
}

function rowObject(obj: KubeObject, includeObject: string | null): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** apimachinery's duration.HumanDuration, which the server uses for AGE cells. */
function humanDuration(since: unknown, now = Date.now()): string | null {
  if (typeof since !== 'string') return null;
  const seconds = Math.floor((now - Date.parse(since)) / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return pair(minutes, 'm', seconds % 60, 's');
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return pair(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 8) return pair(days, 'd', hours % 24, 'h');
  if (days < 730) return `${days}d`;
  const years = Math.floor(days / 365);
  return years < 8 ? pair(years, 'y', days % 365, 'd') : `${years}y`;
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

import { openStackState, stateVersions } from '../state/versions.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, name: string, options: { json?: boolean }): Promise<number> {
  const state = await openStackState(global, name);
  try {
    const versions = await stateVersions(state);
    // The current version a delete marker: the state was deleted, its earlier versions are kept.
    const deleted = versions.some((v) => v.latest && v.deleteMarker);
    if (options.json) {
      printJson({ stack: state.stack.name, env: state.env, bucket: state.location.bucket, key: state.key, deleted, versions });
      return 0;
    }
    const count = `${versions.length} version${versions.length === 1 ? '' : 's'}`;
    printOut(`${state.stack.name} (ENV ${state.env}): s3://${state.location.bucket}/${state.key}, ${count}${deleted ? '; the state is DELETED (its current version is a delete marker)' : ''}`);
    printOut(
      formatTable(
        ['TIME', 'SIZE', 'SERIAL', 'LINEAGE', 'VERSION ID'],
        versions.map((v) => [
          v.lastModified,
          v.deleteMarker ? '-' : String(v.size),
          v.deleteMarker ? '(deleted)' : String(v.serial ?? '?'),
          v.lineage ?? '-',
          `${v.versionId}${v.latest ? ' (current)' : ''}`,
        ]),
      ),
    );
    if (deleted) printOut(`bring a version back: foundation state restore ${state.stack.name} --version-id <id>`);
    return 0;
  } finally {
    state.client.destroy();
  }
}

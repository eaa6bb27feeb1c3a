import { openStackState, stateVersions } from '../backends/state-ops.js';
import { formatTable, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, name: string, options: { json?: boolean }): Promise<number> {
  const state = await openStackState(global, name);
  try {
    const versions = await stateVersions(state);
    if (options.json) {
      printJson({ stack: state.stack.name, env: state.env, bucket: state.location.bucket, key: state.key, versions });
      return 0;
    }
    printOut(`${state.stack.name} (ENV ${state.env}): s3://${state.location.bucket}/${state.key}, ${versions.length} version${versions.length === 1 ? '' : 's'}`);
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
    return 0;
  } finally {
    state.client.destroy();
  }
}

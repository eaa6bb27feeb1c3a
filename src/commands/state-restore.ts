import { applyRestore, openStackState, planRestore } from '../state/versions.js';
import { confirm } from '../ui/confirm.js';
import { FoundationError } from '../ui/errors.js';
import { isInteractive, printErr, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, name: string, options: { versionId: string; yes?: boolean; json?: boolean }): Promise<number> {
  if (!options.yes && !isInteractive()) {
    throw new FoundationError('state restore needs a confirmation and there is no terminal to ask on', `pass --yes to restore without asking`);
  }
  const state = await openStackState(global, name);
  try {
    const plan = await planRestore(state, options.versionId);
    const show = options.json ? printErr : printOut;
    const { current } = plan;
    const over = current.deleted
      ? `over the deleted state (its current version is delete marker ${current.markerVersionId}; highest serial among the versions ${current.serial})`
      : `over the current state (serial ${current.serial}${current.versionId ? `, version ${current.versionId}` : ''})`;
    show(`${state.stack.name} (ENV ${state.env}): restore version ${plan.from.versionId} (serial ${plan.from.serial}${plan.from.lastModified ? `, ${plan.from.lastModified}` : ''}) ${over}, lineage ${plan.lineage}`);
    show(`serial ${current.serial} -> ${plan.newSerial}: the earlier content is written as a new version; the ${current.deleted ? 'delete marker' : 'current one'} stays in the bucket's history`);
    if (!options.yes && !(await confirm('Restore this version?'))) {
      printErr('restore cancelled; nothing was written');
      return 1;
    }
    const versionId = await applyRestore(state, plan);
    if (options.json) {
      printJson({ stack: state.stack.name, env: state.env, key: state.key, lineage: plan.lineage, from: plan.from, deleted: current.deleted, previous: current.serial, serial: plan.newSerial, versionId: versionId ?? null });
    }
    else printOut(`restored: s3://${state.location.bucket}/${state.key} is now serial ${plan.newSerial}${versionId ? ` (version ${versionId})` : ''}`);
    return 0;
  } finally {
    state.client.destroy();
  }
}

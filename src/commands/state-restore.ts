import { applyRestore, openStackState, planRestore } from '../backends/state-ops.js';
import { confirm } from '../ui/confirm.js';
import { FoundationError } from '../ui/errors.js';
import { isInteractive, printErr, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from './options.js';

export async function run(global: GlobalOptions, name: string, options: { versionId: string; yes?: boolean; json?: boolean }): Promise<number> {
  if (!options.yes && !isInteractive()) {
    throw new FoundationError('state restore needs a confirmation and there is no terminal to ask on', `pass --yes to restore without asking`);
  }
  const state = await openStackState(global, name);
  try {
    const plan = await planRestore(state, options.versionId);
    const show = options.json ? printErr : printOut;
    show(
      `${state.stack.name} (ENV ${state.env}): restore version ${plan.from.versionId} (serial ${plan.from.serial}${plan.from.lastModified ? `, ${plan.from.lastModified}` : ''}) ` +
        `over the current state (serial ${plan.current.serial}${plan.current.versionId ? `, version ${plan.current.versionId}` : ''}), lineage ${plan.lineage}`,
    );
    show(`serial ${plan.current.serial} -> ${plan.newSerial}: the earlier content is written as a new version; the current one stays in the bucket's history`);
    if (!options.yes && !(await confirm('Restore this version?'))) {
      printErr('restore cancelled; nothing was written');
      return 1;
    }
    const versionId = await applyRestore(state, plan);
    if (options.json) printJson({ stack: state.stack.name, env: state.env, key: state.key, lineage: plan.lineage, from: plan.from, previous: plan.current.serial, serial: plan.newSerial, versionId: versionId ?? null });
    else printOut(`restored: s3://${state.location.bucket}/${state.key} is now serial ${plan.newSerial}${versionId ? ` (version ${versionId})` : ''}`);
    return 0;
  } finally {
    state.client.destroy();
  }
}

import { acceptDrift, type AcceptOptions } from '../drift/accept.js';
import { describeAcceptance } from '../drift/acceptance.js';
import { printErr, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, stack: string, object: string, options: AcceptOptions & { json?: boolean }): Promise<number> {
  const result = await acceptDrift(global, stack, object, options);
  if (options.json) {
    printJson(result);
    return 0;
  }
  const o = result.object;
  const where = `${o.apiVersion} ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} (stack ${result.stack})`;
  if (result.accepted) {
    printOut(`${where}: ${result.accepted.paths.join(', ')} ${describeAcceptance({ ...result.accepted, expired: false })}`);
    for (const path of result.notDrifting) printErr(`note: ${path} does not drift now; the acceptance covers it if it does before ${result.accepted.until}`);
  } else {
    printOut(`${where}: ${result.cleared?.length ? `acceptance cleared for ${result.cleared.join(', ')}` : 'unreadable acceptance annotation removed'}`);
  }
  return 0;
}

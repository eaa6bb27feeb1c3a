import { migrateState } from '../state/migrate.js';
import { FoundationError } from '../ui/errors.js';
import { printErr, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

export async function run(global: GlobalOptions, name: string, options: { from: string; to: string; json?: boolean }): Promise<number> {
  if (options.from !== 'gitlab-http' || options.to !== 's3') {
    throw new FoundationError(`cannot migrate from "${options.from}" to "${options.to}"`, 'foundation migrates legacy GitLab state to S3: --from gitlab-http --to s3');
  }
  // tofu's output is diagnostics here: stderr, so stdout is the evidence alone.
  const evidence = await migrateState(global, name, (text) => process.stderr.write(text));
  if (options.json) printJson(evidence);
  else {
    const mark = (ok: boolean) => (ok ? 'equal' : 'DIFFERENT');
    printOut(`${evidence.stack} (ENV ${evidence.env}): ${evidence.copied ? 'migrated' : 'already migrated'} ${evidence.from.address} -> s3://${evidence.to.bucket}/${evidence.to.key}`);
    printOut(`  lineage    ${evidence.from.lineage} -> ${evidence.to.lineage}: ${mark(evidence.equal.lineage)}`);
    printOut(`  serial     ${evidence.from.serial} -> ${evidence.to.serial}: ${mark(evidence.equal.serial)}`);
    printOut(`  resources  ${evidence.from.resources.length} -> ${evidence.to.resources.length}: ${mark(evidence.equal.resources)} (${evidence.to.resources.join(', ') || 'none'})`);
    printOut(`  plan       ${evidence.plan.changes ? `changes pending against the S3 state (${evidence.plan.text}): the repository differs from the state` : 'no changes against the S3 state'}`);
    printOut(`  stack.yaml ${evidence.stackFileUnchanged ? 'unchanged' : 'CHANGED'}; the GitLab state is left in place`);
    if (evidence.ok) printOut(`next: set backend.${evidence.env}: s3 (or drop the entry) in the stack's stack.yaml to make S3 its backend`);
  }
  if (!evidence.ok) {
    const differ = (['lineage', 'serial', 'resources'] as const).filter((k) => !evidence.equal[k]);
    const why = [...(differ.length ? [`its ${differ.join(', ')} differ from the GitLab state's`] : []), ...(evidence.stackFileUnchanged ? [] : ['stack.yaml changed during the migration'])];
    throw new FoundationError(`the migration of stack "${evidence.stack}" is not proven: ${why.join('; ')}`, 'read the evidence above; stack.yaml still points at GitLab, whose state is unchanged');
  }
  if (evidence.plan.changes) {
    printErr(
      `warning: the state was migrated; the plan against it has changes pending (${evidence.plan.text}): the repository differs from the state, the copy is equal. ` +
        `Once stack.yaml says backend.${evidence.env}: s3, review them with "foundation plan ${evidence.stack}"`,
    );
  }
  return 0;
}

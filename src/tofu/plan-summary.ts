/** Counts read from `tofu show -json <planfile>`, the way tofu's own "Plan:" line counts them. */
export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  /** Replacements, each also counted once in add and once in destroy. */
  replace: number;
  import: number;
  /** Resources removed from state without being destroyed (removed blocks). */
  forget: number;
  outputChanges: number;
}

interface ShowJson {
  resource_changes?: Array<{ change?: { actions?: string[]; importing?: unknown } }>;
  output_changes?: Record<string, { actions?: string[] }>;
}

export function summarizePlan(showJson: string): PlanSummary {
  const plan = JSON.parse(showJson) as ShowJson;
  const summary: PlanSummary = { add: 0, change: 0, destroy: 0, replace: 0, import: 0, forget: 0, outputChanges: 0 };
  for (const resource of plan.resource_changes ?? []) {
    const actions = resource.change?.actions ?? [];
    if (resource.change?.importing) summary.import++;
    if (actions.includes('create')) summary.add++;
    if (actions.includes('delete')) summary.destroy++;
    if (actions.includes('create') && actions.includes('delete')) summary.replace++;
    if (actions.includes('update')) summary.change++;
    if (actions.includes('forget')) summary.forget++;
  }
  for (const output of Object.values(plan.output_changes ?? {})) {
    const actions = output.actions ?? [];
    if (actions.some((a) => a !== 'no-op')) summary.outputChanges++;
  }
  return summary;
}

/** "1 to add, 0 to change, 0 to destroy", plus imports, forgets and output changes when there are any. */
export function describeSummary(s: PlanSummary): string {
  const parts = [`${s.add} to add`, `${s.change} to change`, `${s.destroy} to destroy`];
  if (s.replace) parts.push(`${s.replace} replaced`);
  if (s.import) parts.push(`${s.import} to import`);
  if (s.forget) parts.push(`${s.forget} to forget`);
  if (s.outputChanges) parts.push(`${s.outputChanges} output${s.outputChanges > 1 ? 's' : ''} changed`);
  return parts.join(', ');
}

/** Whether applying the plan would change anything (what -detailed-exitcode 2 means for a fresh plan). */
export function planHasChanges(s: PlanSummary): boolean {
  return s.add + s.change + s.destroy + s.import + s.forget + s.outputChanges > 0;
}

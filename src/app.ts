/**
 * The second bundle of the built CLI (dist/app.cjs): everything behind the command line.
 * cli.ts loads it only once a command runs, so --help and usage errors never compile it, and
 * each module here is imported lazily inside the bundle too, so a run initializes only
 * the modules of its own command.
 */
export const commands = {
  'apply': () => import('./commands/apply.js'),
  'backend-materialize': () => import('./commands/backend-materialize.js'),
  'cluster-apply': () => import('./commands/cluster-apply.js'),
  'cluster-bootstrap': () => import('./commands/cluster-bootstrap.js'),
  'cluster-config': () => import('./commands/cluster-config.js'),
  'cluster-health': () => import('./commands/cluster-health.js'),
  'cluster-kubeconfig': () => import('./commands/cluster-kubeconfig.js'),
  'cluster-status': () => import('./commands/cluster-status.js'),
  'completion': () => import('./commands/completion.js'),
  'doctor': () => import('./commands/doctor.js'),
  'drain': () => import('./commands/drain.js'),
  'drift': () => import('./commands/drift.js'),
  'drift-accept': () => import('./commands/drift-accept.js'),
  'drift-accepted': () => import('./commands/drift-accepted.js'),
  'graph': () => import('./commands/graph.js'),
  'init': () => import('./commands/init.js'),
  'kubectl': () => import('./commands/kubectl.js'),
  'plan': () => import('./commands/plan.js'),
  'roadmap': () => import('./commands/roadmap.js'),
  'stacks': () => import('./commands/stacks.js'),
  'status': () => import('./commands/status.js'),
  'state-key': () => import('./commands/state-key.js'),
  'state-lock': () => import('./commands/state-lock.js'),
  'state-migrate': () => import('./commands/state-migrate.js'),
  'state-pull': () => import('./commands/state-pull.js'),
  'state-restore': () => import('./commands/state-restore.js'),
  'state-unlock': () => import('./commands/state-unlock.js'),
  'state-versions': () => import('./commands/state-versions.js'),
  'talosctl': () => import('./commands/talosctl.js'),
  'version': () => import('./commands/version.js'),
};

export const withFailureReport = async () => (await import('./orchestrate/failed-run.js')).withFailureReport;
export const complete = async () => (await import('./completion/complete.js')).printCompletions;
export const reportError = async () => (await import('./ui/report-error.js')).reportError;

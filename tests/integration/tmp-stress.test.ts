import { it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cleanUpStatusProjects, statusProject } from '../support/status-project.js';
cleanUpStatusProjects();
it('stress', async () => {
  const projects = await Promise.all([1, 2, 3].map(() => statusProject()));
  for (let round = 0; round < 6; round++) {
    const results = await Promise.all(projects.map((p) => runCli(['status', '--all', '--json'], { cwd: p.dir, env: p.env })));
    for (const r of results) if (r.exitCode !== 0) process.stderr.write(`FAILED ${r.exitCode}\n${r.stdout}\n${r.stderr}\n`);
  }
}, 600_000);

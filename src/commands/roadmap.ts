import { liveRoadmap } from '../roadmap/live.js';
import { renderMarkdown } from '../roadmap/render-markdown.js';
import { renderMermaid } from '../roadmap/render-mermaid.js';
import { renderText } from '../roadmap/render-text.js';
import { readSnapshot } from '../roadmap/snapshot.js';
import { FoundationError } from '../ui/errors.js';
import { printErr, printJson, printOut } from '../ui/output.js';
import type { GlobalOptions } from '../config/global-options.js';

interface RoadmapOptions {
  json?: boolean;
  markdown?: boolean;
  mermaid?: boolean;
  offline?: string;
}

export async function run(_global: GlobalOptions, options: RoadmapOptions): Promise<number> {
  const formats = (['json', 'markdown', 'mermaid'] as const).filter((f) => options[f]);
  if (formats.length > 1) throw new FoundationError(`--${formats.join(' and --')} do not go together`, 'pick one output format');
  const report = options.offline ? readSnapshot(options.offline) : await liveRoadmap();
  for (const warning of report.warnings) printErr(`warning: ${warning.message}`);
  if (options.json) printJson(report);
  else if (options.markdown) printOut(renderMarkdown(report));
  else if (options.mermaid) printOut(renderMermaid(report));
  else printOut(renderText(report));
  return 0;
}

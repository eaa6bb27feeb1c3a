// The live roadmap: foundation.yaml's roadmap, GitLab and the cluster, read at once.
import { FoundationError } from '../ui/errors.js';
import { loadRoadmapConfig } from './config.js';
import { gitLabSourceFromEnv, readGitLab } from './gitlab.js';
import { checkDeploymentAvailable } from './live-check.js';
import { buildRoadmap, type RoadmapReport } from './model.js';

/** FOUNDATION_ROADMAP_NOW (an ISO date or time) pins "today" for overdue checks; tests and reproducible docs use it. */
export function roadmapNow(env: NodeJS.ProcessEnv = process.env): Date {
  const pinned = env.FOUNDATION_ROADMAP_NOW;
  if (!pinned) return new Date();
  const date = new Date(pinned);
  if (Number.isNaN(date.getTime())) throw new FoundationError(`FOUNDATION_ROADMAP_NOW "${pinned}" is not a date`, 'use an ISO date such as 2026-11-23 or 2026-11-23T12:00:00Z, or unset it');
  return date;
}

export async function liveRoadmap(): Promise<RoadmapReport> {
  const now = roadmapNow();
  const roadmap = loadRoadmapConfig();
  const source = gitLabSourceFromEnv();
  const [gitlab, liveCheck] = await Promise.all([readGitLab(roadmap, source), checkDeploymentAvailable(roadmap.exitProof.liveCheck)]);
  return buildRoadmap(roadmap, gitlab, liveCheck, now);
}

/**
 * The learner's progress, in one small file (.workshop/state.json): the
 * step they are on, the steps they passed, the hints they have seen.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO } from './steps/manifest';

export interface Progress {
  current: number;
  passed: number[];
  hintsSeen: Record<string, number>;
}

const FRESH: Progress = { current: 1, passed: [], hintsSeen: {} };

export function stateFile(repo = REPO): string {
  return join(repo, '.workshop', 'state.json');
}

export function loadProgress(repo = REPO): Progress {
  try {
    return { ...FRESH, ...(JSON.parse(readFileSync(stateFile(repo), 'utf8')) as Partial<Progress>) };
  } catch {
    return { ...FRESH, passed: [], hintsSeen: {} };
  }
}

export function saveProgress(progress: Progress, repo = REPO): void {
  mkdirSync(dirname(stateFile(repo)), { recursive: true });
  writeFileSync(stateFile(repo), `${JSON.stringify(progress, null, 2)}\n`);
}

export function updateProgress(change: (p: Progress) => void, repo = REPO): Progress {
  const progress = loadProgress(repo);
  change(progress);
  saveProgress(progress, repo);
  return progress;
}

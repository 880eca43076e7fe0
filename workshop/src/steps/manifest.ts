/**
 * The step manifest (steps/steps.json): titles, the files a learner edits,
 * hints, and which checks each step has. The CLI, the graders, verify and
 * the guide's sidebar all read it through here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CheckKind = 'infra' | 'live';

export interface Step {
  id: number;
  /** Folder name under steps/ and solutions/, e.g. "03-queue-groups". */
  slug: string;
  title: string;
  /** One sentence: what the learner does and why. */
  summary: string;
  /** Repository paths the learner edits in this step. */
  files: string[];
  /** Ordered hints, each a question. */
  hints: string[];
  checks: CheckKind[];
  bonus?: boolean;
  /**
   * The step whose end state this one starts from (default: the step
   * before). The Redis Streams bonus builds on step 2, not on NATS.
   */
  base?: number;
}

export const REPO = join(__dirname, '..', '..', '..');

export function loadSteps(repo = REPO): Step[] {
  const raw = JSON.parse(readFileSync(join(repo, 'steps', 'steps.json'), 'utf8')) as { steps: Step[] };
  return raw.steps;
}

export function getStep(id: number, repo = REPO): Step {
  const steps = loadSteps(repo);
  const step = steps.find((s) => s.id === id);
  if (!step) {
    throw new Error(`there is no step ${id}: the steps are ${steps.map((s) => s.id).join(', ')}`);
  }
  return step;
}

export const starterDir = (step: Step, repo = REPO) => join(repo, 'steps', step.slug, 'starter');
/**
 * Every file any step changes, as a fresh clone has it (the start of step 1).
 * Laid down first, so that the start or end of a step never keeps a file
 * that another step changed (going back, or to the bonus step from step 5).
 */
export const baselineDir = (repo = REPO) => join(repo, 'steps', 'baseline');
export const solutionDir = (step: Step, repo = REPO) => join(repo, 'solutions', step.slug);
export const checksDir = (step: Step, repo = REPO) => join(repo, 'steps', step.slug, 'checks');

/** The steps whose solutions make the start of `step`: its base's chain (1..N-1 for most). */
export function stepsBefore(step: Step, repo = REPO): Step[] {
  const baseId = step.base ?? step.id - 1;
  if (baseId < 1) return [];
  const base = getStep(baseId, repo);
  return [...stepsBefore(base, repo), base];
}

/** The overlays that make the start of step N: the baseline, the solutions before it, then starter N. */
export function startOverlays(step: Step, repo = REPO): string[] {
  return [baselineDir(repo), ...stepsBefore(step, repo).map((s) => solutionDir(s, repo)), starterDir(step, repo)];
}

/** The overlays that make the end of step N: the baseline, the solutions before it, then solution N. */
export function endOverlays(step: Step, repo = REPO): string[] {
  return [baselineDir(repo), ...[...stepsBefore(step, repo), step].map((s) => solutionDir(s, repo))];
}

/**
 * The step manifest (steps/steps.json): titles, the files a learner edits,
 * hints, and which checks each step has. The CLI, the graders, verify and
 * the guide's sidebar all read it through here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate, type Schema } from './schema';

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
  /** The least number of code lines the learner writes in this step (verify checks it). */
  learnerWrites?: number;
  bonus?: boolean;
  /**
   * The step whose end state this one starts from (default: the step
   * before; required after a bonus step). The Redis Streams bonus builds on
   * step 2, not on NATS.
   */
  base?: number;
}

export interface Manifest {
  steps: Step[];
}

export const REPO = join(__dirname, '..', '..', '..');

/** steps/steps.json does not hold together: each problem on a line. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * What is wrong with a manifest: what its JSON schema (steps/steps.schema.json)
 * says, and what a schema cannot: ids 1..N in order, slugs that start with
 * their id, a base that is an earlier step, and a base given on the step
 * after a bonus step (by default a step builds on the one before it, and a
 * new step should not silently build on a bonus).
 */
export function manifestProblems(raw: unknown, repo = REPO): string[] {
  const schema = JSON.parse(readFileSync(join(repo, 'steps', 'steps.schema.json'), 'utf8')) as Schema;
  const problems = validate(raw, schema, 'steps.json');
  if (problems.length) return problems;
  const steps = (raw as Manifest).steps;
  steps.forEach((step, i) => {
    const where = `step ${step.id} (${step.slug})`;
    if (step.id !== i + 1) problems.push(`${where}: ids go 1..N in order; this one should be ${i + 1}`);
    if (!step.slug.startsWith(`${String(step.id).padStart(2, '0')}-`))
      problems.push(`${where}: its slug should start with its id on two digits`);
    const before = steps[i - 1];
    if (before?.bonus && step.base === undefined)
      problems.push(
        `${where} follows a bonus step: say which step it builds on with "base" (e.g. ${before.base ?? before.id - 1})`,
      );
    if (step.base !== undefined && !steps.some((s) => s.id === step.base && s.id < step.id))
      problems.push(`${where}: base ${step.base} is not an earlier step`);
  });
  return problems;
}

/** The steps, checked: a manifest that does not hold together is an error that says why. */
export function loadSteps(repo = REPO): Step[] {
  const file = join(repo, 'steps', 'steps.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const problems = manifestProblems(raw, repo);
  if (problems.length) throw new ManifestError(`${file} does not hold together:\n  - ${problems.join('\n  - ')}`);
  return (raw as Manifest).steps;
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

/**
 * The proofs behind `npm run verify` for the steps: each step's graders
 * fail on its start and pass on its end, a correct solution written another
 * way passes, a known-wrong one fails, and the manifest holds together.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecks, type CheckRun } from '../grading/run-checks';
import {
  baselineDir,
  checksDir,
  endOverlays,
  loadSteps,
  REPO,
  solutionDir,
  starterDir,
  startOverlays,
  type Step,
} from './manifest';
import { exists, listFiles, makeTree } from './tree';
import { applyVariant, loadVariants, type Variant } from './variants';

export interface Proof {
  step: Step;
  problems: string[];
  starterFails?: boolean;
  solutionPasses?: boolean;
  variants: { name: string; expected: 'pass' | 'fail'; ok: boolean }[];
  seconds: { start: number; end: number };
}

const sum = (runs: CheckRun[]) => runs.reduce((total, r) => total + r.seconds, 0);
const passed = (step: Step, runs: CheckRun[]) => runs.length === step.checks.length && runs.every((r) => r.passed);
/** What the learners' reporter prints for a failure that is not a grader's own message. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UNEXPECTED } = require('../grading/reporter.cjs') as { UNEXPECTED: string };

/** Static invariants of one step: TODOs, hints, files. */
export async function checkManifest(step: Step): Promise<string[]> {
  const problems: string[] = [];
  if (step.hints.length === 0) problems.push('has no hints');
  for (const hint of step.hints) if (!hint.trim().endsWith('?')) problems.push(`hint is not a question: "${hint}"`);
  if (step.checks.length === 0) problems.push('has no checks');
  const starter = (await exists(starterDir(step))) ? await listFiles(starterDir(step)) : [];
  const solution = (await exists(solutionDir(step))) ? await listFiles(solutionDir(step)) : [];
  if (starter.length === 0) problems.push('has no starter files');
  for (const file of starter) {
    const text = await readFile(join(starterDir(step), file), 'utf8');
    if (!text.includes('// TODO:')) problems.push(`starter ${file} has no // TODO:`);
    if (!solution.includes(file)) problems.push(`starter ${file} has no solution file`);
  }
  for (const file of solution) {
    const text = await readFile(join(solutionDir(step), file), 'utf8');
    if (text.includes('TODO')) problems.push(`solution ${file} still says TODO`);
  }
  for (const file of step.files) {
    if (!starter.includes(file)) problems.push(`manifest file ${file} is not in the starter`);
    if (!solution.includes(file)) problems.push(`manifest file ${file} is not in the solution`);
  }
  for (const file of starter)
    if (!step.files.includes(file)) problems.push(`starter ${file} is not listed in the manifest`);
  // A check file the manifest does not list would never run.
  const checkFiles = (await exists(checksDir(step))) ? await listFiles(checksDir(step)) : [];
  for (const file of checkFiles.filter((f) => f.endsWith('.check.ts'))) {
    const kind = file.slice(0, -'.check.ts'.length);
    if (!(step.checks as string[]).includes(kind))
      problems.push(
        `checks/${file} is not in the manifest's "checks" of this step, so it never runs: add "${kind}" or remove the file`,
      );
  }
  // The start of step 1 is the baseline with step 1's starter on it: a fresh clone.
  if (step.id === 1) {
    for (const file of starter) {
      const [a, b] = await Promise.all([
        readFile(join(starterDir(step), file), 'utf8'),
        readFile(join(baselineDir(), file), 'utf8').catch(() => ''),
      ]);
      if (a !== b) problems.push(`step 1's starter ${file} differs from the baseline (the fresh clone's file)`);
    }
  }
  return problems;
}

const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const TYPED_PROJECTS = ['services', 'infra', 'measure'];

/** A hash of a project's files and the base config it extends: trees with the same project share its type check. */
async function projectKey(tree: string, project: string): Promise<string> {
  const hash = createHash('sha256').update(project);
  const dir = join(tree, project);
  for (const file of await listFiles(dir))
    hash
      .update(file)
      .update('\0')
      .update(await readFile(join(dir, file)))
      .update('\0');
  hash.update(await readFile(join(tree, 'tsconfig.base.json')).catch(() => ''));
  return hash.digest('hex');
}

const typeChecks = new Map<string, Promise<string[]>>();

/** `tsc --noEmit` on one project of a tree (asynchronous: other proofs run meanwhile). */
function tsc(tree: string, project: string): Promise<string[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TSC, '-p', join(tree, project, 'tsconfig.json'), '--noEmit'], { cwd: tree });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) =>
      resolve(code === 0 ? [] : [`${project}/ does not type-check:\n${output.slice(0, 1500)}`]),
    );
  });
}

/**
 * Type errors of a tree's projects (swc and tsx run code without checking
 * their types). A project whose files are the same as one already checked
 * in this run (most trees share infra/ and measure/) gets the same answer.
 */
async function typeErrors(tree: string): Promise<string[]> {
  const results = await Promise.all(
    TYPED_PROJECTS.filter((project) => existsSync(join(tree, project, 'tsconfig.json'))).map(async (project) => {
      const key = await projectKey(tree, project);
      if (!typeChecks.has(key)) typeChecks.set(key, tsc(tree, project));
      return typeChecks.get(key)!;
    }),
  );
  return results.flat();
}

/** A failed check must tell the learner something, not dump a stack trace. */
function failureProblems(runs: CheckRun[]): string[] {
  const failed = runs.filter((r) => !r.passed);
  return failed
    .filter((r) => r.output.includes(UNEXPECTED) || !/✗/.test(r.output))
    .map((r) => `the ${r.kind} checks fail with an unexpected error or no message:\n${r.output.slice(0, 2000)}`);
}

/** Runs at most `size` tasks at once, in the order they were asked for. */
export function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

type Limit = ReturnType<typeof limiter>;

/**
 * How many trees are graded at once (WORKSHOP_VERIFY_JOBS; default 2, the
 * machine's two cores): each tree's checks still run one after the other.
 */
export const VERIFY_JOBS = Math.max(1, Number(process.env.WORKSHOP_VERIFY_JOBS) || 2);

/**
 * A known-wrong variant's checks, kind by kind, until one fails for the
 * variant's own reason (its message, and no unexpected error): as a learner
 * sees it, whose `npm test` stops at the first kind that fails.
 */
async function gradeWrong(step: Step, tree: string, variant: Variant): Promise<CheckRun[]> {
  const runs: CheckRun[] = [];
  for (const kind of step.checks) {
    runs.push(...(await runChecks({ ...step, checks: [kind] }, { tree, echo: false, stopOnFailure: false })));
    if (failsAsExpected(runs, variant)) break;
  }
  return runs;
}

function failsAsExpected(runs: CheckRun[], variant: Variant): boolean {
  const output = runs.map((r) => r.output).join('\n');
  return (
    runs.some((r) => !r.passed) && new RegExp(variant.expectMessage ?? '.').test(output) && !output.includes(UNEXPECTED)
  );
}

interface Graded {
  runs: CheckRun[];
  typing: string[];
}

/** Lays down a tree and grades it (and type-checks it), within the limit of trees graded at once. */
function grade(
  limit: Limit,
  name: string,
  overlays: string[],
  run: (tree: string) => Promise<CheckRun[]>,
  edit?: (tree: string) => Promise<void>,
): Promise<Graded> {
  return limit(async () => {
    const tree = await makeTree(REPO, name, overlays);
    await edit?.(tree);
    const runs = await run(tree);
    // After the checks, not beside them: a live check's timing is not to share the cores with tsc.
    return { runs, typing: await typeErrors(tree) };
  });
}

export async function proveStep(
  step: Step,
  log: (line: string) => void,
  limit: Limit = limiter(VERIFY_JOBS),
): Promise<Proof> {
  const proof: Proof = {
    step,
    problems: await checkManifest(step),
    variants: [],
    seconds: { start: 0, end: 0 },
  };
  const all = (tree: string) => runChecks(step, { tree, echo: false, stopOnFailure: false });
  const variants = loadVariants(step);
  // Every tree of the step is asked for at once; the limit decides how many run side by side.
  const startGraded = grade(limit, `verify-${step.slug}-start`, startOverlays(step), (tree) => {
    log(`step ${step.id}: grading its start`);
    return all(tree);
  });
  const endGraded = grade(limit, `verify-${step.slug}-end`, endOverlays(step), (tree) => {
    log(`step ${step.id}: grading its end`);
    return all(tree);
  });
  const variantsGraded = variants.map((variant) =>
    grade(
      limit,
      `verify-${step.slug}-${variant.name}`,
      endOverlays(step),
      (tree) => {
        log(`step ${step.id}: grading variant ${variant.name} (must ${variant.expect})`);
        return variant.expect === 'pass' ? all(tree) : gradeWrong(step, tree, variant);
      },
      (tree) => applyVariant(tree, variant),
    ),
  );

  const start = await startGraded;
  // Each kind of check must fail on the start, not just one of them.
  proof.starterFails = start.runs.length === step.checks.length && start.runs.every((r) => !r.passed);
  proof.seconds.start = sum(start.runs);
  for (const r of start.runs.filter((x) => x.passed))
    proof.problems.push(`its ${r.kind} checks pass on the start of the step`);
  proof.problems.push(...failureProblems(start.runs));
  proof.problems.push(...start.typing.map((e) => `the start: ${e}`));

  const end = await endGraded;
  proof.solutionPasses = passed(step, end.runs);
  proof.seconds.end = sum(end.runs);
  if (!proof.solutionPasses) {
    proof.problems.push(
      `the solution does not pass:\n${end.runs
        .map((r) => r.output)
        .join('\n')
        .slice(0, 3000)}`,
    );
  }
  proof.problems.push(...end.typing.map((e) => `the end: ${e}`));

  for (const [i, variant] of variants.entries()) {
    const { runs, typing } = await variantsGraded[i];
    const output = runs.map((r) => r.output).join('\n');
    // A known-wrong variant must fail for its own reason, not for any reason.
    const ok = variant.expect === 'pass' ? passed(step, runs) : failsAsExpected(runs, variant);
    proof.variants.push({ name: variant.name, expected: variant.expect, ok });
    if (!ok) {
      const what = variant.expect === 'pass' ? 'pass' : `fail with /${variant.expectMessage ?? '.'}/`;
      proof.problems.push(`variant ${variant.name} (${variant.why}) should ${what}:\n${output.slice(0, 2000)}`);
    }
    if (variant.expect === 'pass') proof.problems.push(...typing.map((e) => `variant ${variant.name}: ${e}`));
  }
  return proof;
}

/** The proofs of the steps (all, or those in `only`), their trees graded VERIFY_JOBS at a time. */
export async function proveAll(only: number[], log: (line: string) => void): Promise<Proof[]> {
  const limit = limiter(VERIFY_JOBS);
  const steps = loadSteps().filter((s) => only.length === 0 || only.includes(s.id));
  return Promise.all(steps.map((step) => proveStep(step, log, limit)));
}

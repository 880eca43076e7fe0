/**
 * The proofs behind `npm run verify` for the steps: each step's graders
 * fail on its start and pass on its end, a correct solution written another
 * way passes, a known-wrong one fails, and the manifest holds together.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecks, type CheckRun } from '../grading/run-checks';
import { spawnMailDev } from '../runtime/maildev';
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
import { driftProblems, learnerLines, todoLeaks } from './copies';
import { exists, hashFiles, listFiles, makeTree } from './tree';
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
  // The copies of each file follow the step before; TODOs say what, not the code; the learner writes the lesson.
  problems.push(...driftProblems(step), ...todoLeaks(step));
  const writes = learnerLines(step).reduce((n, f) => n + f.lines, 0);
  if (step.learnerWrites !== undefined && writes < step.learnerWrites)
    problems.push(
      `the learner writes ${writes} code lines between the start and the end, fewer than the ${step.learnerWrites} its manifest entry promises (npm run steps -- lines)`,
    );
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
  const hash = await hashFiles(createHash('sha256').update(project), join(tree, project));
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

/** Runs at most `size` tasks at once, in the order they were asked for; each gets a free slot number (0..size-1). */
export function limiter(size: number): <T>(task: (slot: number) => Promise<T>) => Promise<T> {
  const free = Array.from({ length: size }, (_, i) => i);
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (free.length === 0) await new Promise<void>((resolve) => waiting.push(resolve));
    const slot = free.shift()!;
    try {
      return await task(slot);
    } finally {
      free.push(slot);
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
async function gradeWrong(step: Step, tree: string, env: Env, variant: Variant): Promise<CheckRun[]> {
  const runs: CheckRun[] = [];
  for (const kind of step.checks) {
    runs.push(...(await runChecks({ ...step, checks: [kind] }, { tree, env, echo: false, stopOnFailure: false })));
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

type Env = Record<string, string>;

/** What the trees graded at once share: the limit, and each slot's environment (its lent MailDev). */
export interface Slots {
  limit: Limit;
  env: Env[];
}

/** Lays down a tree and grades it (and type-checks it), in a free slot. */
function grade(
  slots: Slots,
  name: string,
  overlays: string[],
  run: (tree: string, env: Env) => Promise<CheckRun[]>,
  edit?: (tree: string) => Promise<void>,
): Promise<Graded> {
  return slots.limit(async (slot) => {
    const tree = await makeTree(REPO, name, overlays);
    await edit?.(tree);
    const runs = await run(tree, slots.env[slot] ?? {});
    // After the checks, not beside them: a live check's timing is not to share the cores with tsc.
    return { runs, typing: await typeErrors(tree) };
  });
}

export async function proveStep(
  step: Step,
  log: (line: string) => void,
  slots: Slots = { limit: limiter(VERIFY_JOBS), env: [] },
): Promise<Proof> {
  const all = (tree: string, env: Env) => runChecks(step, { tree, env, echo: false, stopOnFailure: false });
  const variants = loadVariants(step);
  // Every tree of the step is asked for at once; the limit decides how many run side by side.
  const startGraded = grade(slots, `verify-${step.slug}-start`, startOverlays(step), (tree, env) => {
    log(`step ${step.id}: grading its start`);
    return all(tree, env);
  });
  const endGraded = grade(slots, `verify-${step.slug}-end`, endOverlays(step), (tree, env) => {
    log(`step ${step.id}: grading its end`);
    return all(tree, env);
  });
  const variantsGraded = variants.map((variant) =>
    grade(
      slots,
      `verify-${step.slug}-${variant.name}`,
      endOverlays(step),
      (tree, env) => {
        log(`step ${step.id}: grading variant ${variant.name} (must ${variant.expect})`);
        return variant.expect === 'pass' ? all(tree, env) : gradeWrong(step, tree, env, variant);
      },
      (tree) => applyVariant(tree, variant),
    ),
  );

  const proof: Proof = { step, problems: await checkManifest(step), variants: [], seconds: { start: 0, end: 0 } };
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

/**
 * The proofs of the steps (all, or those in `only`), their trees graded
 * VERIFY_JOBS at a time. Each slot lends one MailDev to the runs it grades,
 * one after the other (each run empties it first): MailDev is the slowest
 * backing service to start, and nothing of the graded code runs in it.
 */
export async function proveAll(only: number[], log: (line: string) => void): Promise<Proof[]> {
  const steps = loadSteps().filter((s) => only.length === 0 || only.includes(s.id));
  const scratch = await mkdtemp(join(tmpdir(), 'workshop-verify-'));
  const mailDevs = await Promise.all(
    Array.from({ length: VERIFY_JOBS }, (_, i) =>
      spawnMailDev(join(scratch, `maildev-${i}.log`), join(scratch, `maildev-${i}`)),
    ),
  );
  try {
    await Promise.all(mailDevs.map((m) => m.ready));
    const slots = {
      limit: limiter(VERIFY_JOBS),
      env: mailDevs.map((m) => ({ WORKSHOP_MAILDEV: JSON.stringify(m.endpoints) })),
    };
    return await Promise.all(steps.map((step) => proveStep(step, log, slots)));
  } finally {
    await Promise.all(mailDevs.map((m) => m.process.stop()));
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The proofs behind `npm run verify` for the steps: each step's graders
 * fail on its start and pass on its end, a correct solution written another
 * way passes, a known-wrong one fails, and the manifest holds together.
 */
import { spawnSync } from 'node:child_process';
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
import { applyVariant, loadVariants } from './variants';

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

/** Type errors of a tree's projects (swc and tsx run code without checking its types). */
function typeErrors(tree: string): string[] {
  return TYPED_PROJECTS.flatMap((project) => {
    const config = join(tree, project, 'tsconfig.json');
    if (!existsSync(config)) return [];
    const run = spawnSync(process.execPath, [TSC, '-p', config, '--noEmit'], { cwd: tree, encoding: 'utf8' });
    return run.status === 0 ? [] : [`${project}/ does not type-check:\n${(run.stdout + run.stderr).slice(0, 1500)}`];
  });
}

/** A failed check must tell the learner something, not dump a stack trace. */
function failureProblems(runs: CheckRun[]): string[] {
  const failed = runs.filter((r) => !r.passed);
  return failed
    .filter((r) => r.output.includes(UNEXPECTED) || !/✗/.test(r.output))
    .map((r) => `the ${r.kind} checks fail with an unexpected error or no message:\n${r.output.slice(0, 2000)}`);
}

export async function proveStep(step: Step, log: (line: string) => void): Promise<Proof> {
  const proof: Proof = {
    step,
    problems: await checkManifest(step),
    variants: [],
    seconds: { start: 0, end: 0 },
  };
  log(`step ${step.id}: grading its start`);
  const startTree = await makeTree(REPO, `verify-${step.slug}-start`, startOverlays(step));
  const start = await runChecks(step, { tree: startTree, echo: false, stopOnFailure: false });
  // Each kind of check must fail on the start, not just one of them.
  proof.starterFails = start.length === step.checks.length && start.every((r) => !r.passed);
  proof.seconds.start = sum(start);
  for (const r of start.filter((x) => x.passed))
    proof.problems.push(`its ${r.kind} checks pass on the start of the step`);
  proof.problems.push(...failureProblems(start));
  proof.problems.push(...typeErrors(startTree).map((e) => `the start: ${e}`));

  log(`step ${step.id}: grading its end`);
  const endTree = await makeTree(REPO, `verify-${step.slug}-end`, endOverlays(step));
  const end = await runChecks(step, { tree: endTree, echo: false, stopOnFailure: false });
  proof.solutionPasses = passed(step, end);
  proof.seconds.end = sum(end);
  if (!proof.solutionPasses) {
    proof.problems.push(
      `the solution does not pass:\n${end
        .map((r) => r.output)
        .join('\n')
        .slice(0, 3000)}`,
    );
  }
  proof.problems.push(...typeErrors(endTree).map((e) => `the end: ${e}`));

  for (const variant of loadVariants(step)) {
    log(`step ${step.id}: grading variant ${variant.name} (must ${variant.expect})`);
    const tree = await makeTree(REPO, `verify-${step.slug}-${variant.name}`, endOverlays(step));
    await applyVariant(tree, variant);
    const runs = await runChecks(step, { tree, echo: false, stopOnFailure: false });
    const output = runs.map((r) => r.output).join('\n');
    // A known-wrong variant must fail for its own reason, not for any reason.
    const ok =
      variant.expect === 'pass'
        ? passed(step, runs)
        : !passed(step, runs) && new RegExp(variant.expectMessage ?? '.').test(output) && !output.includes(UNEXPECTED);
    proof.variants.push({ name: variant.name, expected: variant.expect, ok });
    if (!ok) {
      const what = variant.expect === 'pass' ? 'pass' : `fail with /${variant.expectMessage ?? '.'}/`;
      proof.problems.push(`variant ${variant.name} (${variant.why}) should ${what}:\n${output.slice(0, 2000)}`);
    }
    const typing = typeErrors(tree);
    if (variant.expect === 'pass') proof.problems.push(...typing.map((e) => `variant ${variant.name}: ${e}`));
  }
  return proof;
}

export async function proveAll(only: number[], log: (line: string) => void): Promise<Proof[]> {
  const steps = loadSteps();
  const proofs: Proof[] = [];
  for (const step of steps.filter((s) => only.length === 0 || only.includes(s.id))) {
    proofs.push(await proveStep(step, log));
  }
  return proofs;
}

/**
 * The proofs behind `npm run verify` for the steps: each step's graders
 * fail on its start and pass on its end, a correct solution written another
 * way passes, a known-wrong one fails, and the manifest holds together.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runChecks, type CheckRun } from '../grading/run-checks';
import { endOverlays, loadSteps, REPO, solutionDir, starterDir, startOverlays, type Step } from './manifest';
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

/** Static invariants of one step: TODOs, hints, files. */
export async function checkManifest(step: Step, steps: Step[]): Promise<string[]> {
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
  if (step.base !== undefined && !steps.some((s) => s.id === step.base))
    problems.push(`base step ${step.base} does not exist`);
  // The working tree of a fresh clone is the start of step 1.
  if (step.id === 1) {
    for (const file of starter) {
      const [a, b] = await Promise.all([
        readFile(join(starterDir(step), file), 'utf8'),
        readFile(join(REPO, file), 'utf8').catch(() => ''),
      ]);
      if (a !== b) problems.push(`the working tree's ${file} differs from step 1's starter`);
    }
  }
  return problems;
}

/** A failed check must tell the learner something, not dump a stack trace. */
function failureProblems(runs: CheckRun[]): string[] {
  const failed = runs.filter((r) => !r.passed);
  return failed
    .filter((r) => /^\s+at .+:\d+:\d+\)?$/m.test(r.output) || !/✗/.test(r.output))
    .map((r) => `the ${r.kind} checks fail with a stack trace or no message:\n${r.output.slice(0, 2000)}`);
}

export async function proveStep(step: Step, steps: Step[], log: (line: string) => void): Promise<Proof> {
  const proof: Proof = {
    step,
    problems: await checkManifest(step, steps),
    variants: [],
    seconds: { start: 0, end: 0 },
  };
  const grade = async (name: string, overlays: string[]) => {
    const tree = await makeTree(REPO, `verify-${step.slug}-${name}`, overlays);
    return runChecks(step, { tree, echo: false, stopOnFailure: false });
  };

  log(`step ${step.id}: grading its start`);
  const start = await grade('start', startOverlays(step));
  proof.starterFails = !passed(step, start);
  proof.seconds.start = sum(start);
  proof.problems.push(...failureProblems(start));

  log(`step ${step.id}: grading its end`);
  const end = await grade('end', endOverlays(step));
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

  for (const variant of loadVariants(step)) {
    log(`step ${step.id}: grading variant ${variant.name} (must ${variant.expect})`);
    const tree = await makeTree(REPO, `verify-${step.slug}-${variant.name}`, endOverlays(step));
    await applyVariant(tree, variant);
    const runs = await runChecks(step, { tree, echo: false, stopOnFailure: false });
    const ok = passed(step, runs) === (variant.expect === 'pass');
    proof.variants.push({ name: variant.name, expected: variant.expect, ok });
    if (!ok) {
      proof.problems.push(
        `variant ${variant.name} (${variant.why}) should ${variant.expect}:\n${runs
          .map((r) => r.output)
          .join('\n')
          .slice(0, 2000)}`,
      );
    }
  }
  return proof;
}

export async function proveAll(only: number[], log: (line: string) => void): Promise<Proof[]> {
  const steps = loadSteps();
  const proofs: Proof[] = [];
  for (const step of steps.filter((s) => only.length === 0 || only.includes(s.id))) {
    proofs.push(await proveStep(step, steps, log));
  }
  return proofs;
}

import { gradingTarget, type Target } from '../grading/context';
import { runChecks } from '../grading/run-checks';
import { getStep, loadSteps } from '../steps/manifest';
import { loadProgress, updateProgress } from '../state';
import { afterFailure, afterPass } from '../cli/next-step';
import { bold, dim, green, red } from '../cli/style';

/** `npm test [-- N]`: grades step N (default: the current step). */
export async function testCommand(stepArg: number | undefined, target: Target = gradingTarget()): Promise<number> {
  const progress = loadProgress();
  const step = getStep(stepArg ?? progress.current);
  console.log(bold(`Step ${step.id}: ${step.title}`) + dim(`  (target: ${target})`));
  const started = Date.now();
  const runs = await runChecks(step, { target });
  const passed = runs.length === step.checks.length && runs.every((r) => r.passed);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const tests = runs.reduce(
    (sum, r) => ({ passed: sum.passed + r.tests.passed, failed: sum.failed + r.tests.failed }),
    {
      passed: 0,
      failed: 0,
    },
  );
  const counts = `${tests.passed} passed, ${tests.failed} failed`;
  if (passed) {
    const after = updateProgress((p) => {
      if (!p.passed.includes(step.id)) p.passed.push(step.id);
      p.passed.sort((a, b) => a - b);
    });
    console.log(`\n${green(`${counts}: step ${step.id} passed`)} in ${seconds} s.`);
    console.log(afterPass(step, loadSteps(), after.passed));
    return 0;
  }
  const skipped = step.checks.slice(runs.length);
  if (skipped.length) console.log(`\n(${skipped.join(', ')} checks not run: fix the ones above first)`);
  console.log(`\n${red(`${counts}: step ${step.id} not passed yet`)} (${seconds} s).`);
  console.log(afterFailure(step, progress.current));
  return 1;
}

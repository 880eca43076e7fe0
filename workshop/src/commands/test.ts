import { gradingTarget, type Target } from '../grading/context';
import { runChecks } from '../grading/run-checks';
import { getStep } from '../steps/manifest';
import { loadProgress, updateProgress } from '../state';

/** `npm test [-- N]`: grades step N (default: the current step). */
export async function testCommand(stepArg: string | undefined, target: Target = gradingTarget()): Promise<number> {
  const id = stepArg ? Number(stepArg) : loadProgress().current;
  const step = getStep(id);
  console.log(`Step ${step.id}: ${step.title}  (target: ${target})`);
  const started = Date.now();
  const runs = await runChecks(step, { target });
  const passed = runs.length === step.checks.length && runs.every((r) => r.passed);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (passed) {
    updateProgress((p) => {
      if (!p.passed.includes(step.id)) p.passed.push(step.id);
      p.passed.sort((a, b) => a - b);
    });
    console.log(`\nStep ${step.id} passed in ${seconds} s. Next: \`npm run workshop -- start ${step.id + 1}\``);
    return 0;
  }
  const skipped = step.checks.slice(runs.length);
  if (skipped.length) console.log(`\n(${skipped.join(', ')} checks not run: fix the ones above first)`);
  console.log(`\nStep ${step.id} not passed yet (${seconds} s). Stuck? \`npm run workshop -- hint ${step.id}\``);
  return 1;
}

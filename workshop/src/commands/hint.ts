import { getStep } from '../steps/manifest';
import { loadProgress, updateProgress } from '../state';

/** `workshop hint N`: the next hint of step N, one at a time. */
export function hintCommand(stepId: number | undefined): number {
  const step = getStep(stepId ?? loadProgress().current);
  const seen = loadProgress().hintsSeen[step.id] ?? 0;
  const index = Math.min(seen, step.hints.length - 1);
  console.log(`Step ${step.id}, hint ${index + 1} of ${step.hints.length}:\n  ${step.hints[index]}`);
  if (index + 1 < step.hints.length) console.log(`(run it again for the next hint)`);
  else console.log(`(that was the last one: \`npm run workshop -- diff ${step.id}\` shows the solution's changes)`);
  updateProgress((p) => {
    p.hintsSeen[step.id] = Math.min(seen + 1, step.hints.length);
  });
  return 0;
}

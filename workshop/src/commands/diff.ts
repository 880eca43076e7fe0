import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadProgress } from '../state';
import { getStep, REPO, solutionDir } from '../steps/manifest';

/** `workshop diff N`: the learner's files of step N against the solution's. */
export function diffCommand(stepId: number | undefined): number {
  const step = getStep(stepId ?? loadProgress().current);
  let same = 0;
  for (const file of step.files) {
    const mine = join(REPO, file);
    const theirs = join(solutionDir(step), file);
    if (!existsSync(theirs)) continue;
    const args = ['diff', '--no-index', '--color=auto', '--', existsSync(mine) ? mine : '/dev/null', theirs];
    const run = spawnSync('git', args, { stdio: 'inherit' });
    if (run.error) {
      console.log(`(git is needed for diff: ${run.error.message})`);
      return 1;
    }
    if (run.status === 0) same++;
  }
  console.log(
    `\n${same} of ${step.files.length} file(s) of step ${step.id} already match the solution (-: yours, +: solution).`,
  );
  return 0;
}

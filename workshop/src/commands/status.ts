import { loadSteps } from '../steps/manifest';
import { loadProgress } from '../state';
import { bold, dim, green } from '../cli/style';

/** `workshop status`: where the learner is. */
export function statusCommand(): number {
  const progress = loadProgress();
  console.log('step  title                                          status     hints');
  for (const step of loadSteps()) {
    const status = progress.passed.includes(step.id) ? 'passed' : step.id === progress.current ? 'current' : '';
    const hints = `${progress.hintsSeen[step.id] ?? 0}/${step.hints.length}`;
    const title = `${step.title}${step.bonus ? ' (bonus)' : ''}`;
    const shown = status === 'passed' ? green(status.padEnd(10)) : status ? bold(status.padEnd(10)) : status.padEnd(10);
    console.log(`${String(step.id).padStart(4)}  ${title.padEnd(46)} ${shown} ${hints}`);
  }
  console.log(dim(`\nGrade the current step: npm test   (another one: npm test -- N)`));
  return 0;
}

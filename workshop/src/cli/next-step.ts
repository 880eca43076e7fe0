/**
 * What `npm test` says after its verdict: the next step after a pass (or that
 * the workshop is done), and after a failure, the hint command, or that the
 * step graded is not the one the learner's code is at.
 */
import type { Step } from '../steps/manifest';

const start = (id: number) => `\`npm run workshop -- start ${id}\``;

export function afterPass(step: Step, steps: Step[], passed: number[]): string {
  const main = steps.filter((s) => !s.bonus);
  const next = main.find((s) => s.id > step.id);
  if (!step.bonus && next) return `Next: step ${next.id}, ${next.title}: ${start(next.id)}`;
  const lines: string[] = [];
  const mainLeft = main.filter((s) => !passed.includes(s.id));
  if (step.bonus && mainLeft.length) {
    lines.push(
      `That was a bonus step. Back to the main path: step ${mainLeft[0].id}, ${mainLeft[0].title}: ${start(mainLeft[0].id)}`,
    );
    return lines.join('\n');
  }
  lines.push(
    step.bonus
      ? 'That was the bonus step: the workshop is done. Well done!'
      : 'That was the last step: the workshop is done. Well done!',
  );
  for (const bonus of steps.filter((s) => s.bonus && s.id !== step.id && !passed.includes(s.id)))
    lines.push(`A bonus step is left if you want more: step ${bonus.id}, ${bonus.title}: ${start(bonus.id)}`);
  return lines.join('\n');
}

export function afterFailure(step: Step, current: number): string {
  if (current > step.id)
    return (
      `Your code is at step ${current} (the last \`start\`), and step ${step.id}'s checks expect step ${step.id}'s code. ` +
      `Grade step ${current} with \`npm test\`; to go back to step ${step.id}: ${start(step.id)} (your files are backed up first).`
    );
  if (current < step.id)
    return `Step ${step.id} is ahead of you (you are on step ${current}): ${start(step.id)} lays down its start (your files are backed up first).`;
  return `Stuck? \`npm run workshop -- hint ${step.id}\``;
}

/**
 * `npm run steps -- <command>`: the maintainers' tools for the copies of
 * learner files across steps (see copies.ts).
 *
 *   sync [rev]   carry changes to a copy forward into the later steps'
 *                starters and solutions (three-way merges against rev, default HEAD)
 *   check [N]    drift and TODO leaks of every step (or step N), as verify checks them
 *   lines        how many code lines the learner writes in each step, per file
 */
import { driftProblems, learnerLines, todoLeaks } from './copies';
import { loadSteps } from './manifest';
import { syncCopies } from './sync';

function sync(rev?: string): number {
  const { updated, conflicts, kept } = syncCopies(rev);
  for (const file of kept) console.log(`kept      ${file} (edited since ${rev ?? 'HEAD'})`);
  for (const file of updated) console.log(`updated   ${file}`);
  for (const file of conflicts) console.log(`CONFLICT  ${file} (resolve the <<<<<<< markers, then run check)`);
  if (updated.length + conflicts.length === 0) console.log('every copy already follows the step before it');
  return conflicts.length ? 1 : 0;
}

function check(ids: number[]): number {
  let problems = 0;
  for (const step of loadSteps().filter((s) => ids.length === 0 || ids.includes(s.id))) {
    for (const problem of [...driftProblems(step), ...todoLeaks(step)]) {
      problems++;
      console.log(`step ${step.id}: ${problem}\n`);
    }
  }
  console.log(problems ? `${problems} problem(s)` : 'no drift, no TODO that gives the answer away');
  return problems ? 1 : 0;
}

function lines(): number {
  console.log('step  writes  least  per file');
  for (const step of loadSteps()) {
    const files = learnerLines(step);
    const total = files.reduce((n, f) => n + f.lines, 0);
    const least = step.learnerWrites ?? '-';
    console.log(
      `${String(step.id).padStart(4)}  ${String(total).padStart(6)}  ${String(least).padStart(5)}  ${files.map((f) => `${f.file} ${f.lines}`).join(', ')}`,
    );
  }
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, () => number> = {
  sync: () => sync(rest[0]),
  check: () => check(rest.map(Number).filter(Number.isInteger)),
  lines,
};
const run = commands[command ?? ''];
if (!run) {
  console.error('usage: npm run steps -- sync [rev] | check [N...] | lines');
  process.exitCode = 2;
} else {
  process.exitCode = run();
}

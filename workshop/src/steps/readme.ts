/**
 * The README's steps table, held to the manifest: one row per step, in
 * order, its first two cells the step's id and title ("(bonus)" after a
 * bonus step's). The other cells are written by hand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, type Step } from './manifest';

/** The title cell of a step's row. */
export const readmeTitle = (step: Pick<Step, 'title' | 'bonus'>) => `${step.title}${step.bonus ? ' (bonus)' : ''}`;

/** The rows of the table whose header starts with "| step |": their cells. */
export function readmeStepRows(readme: string): string[][] {
  const lines = readme.split(/\r?\n/);
  const start = lines.findIndex((line) => /^\|\s*step\s*\|/.test(line));
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

/** Where the README's steps table and the manifest disagree (empty: they agree). */
export function readmeProblems(steps: Step[], repo = REPO): string[] {
  const rows = readmeStepRows(readFileSync(join(repo, 'README.md'), 'utf8'));
  if (rows.length === 0) return ['README.md has no steps table (a table whose header starts with "| step |")'];
  const problems: string[] = [];
  steps.forEach((step, i) => {
    const row = rows[i];
    const expected = [String(step.id), readmeTitle(step)];
    if (!row)
      problems.push(`README.md's steps table has no row for step ${step.id}: | ${expected.join(' | ')} | ... |`);
    else if (row[0] !== expected[0] || row[1] !== expected[1])
      problems.push(
        `README.md's steps table row ${i + 1} is "| ${row.slice(0, 2).join(' | ')} |": it should start "| ${expected.join(' | ')} |"`,
      );
  });
  for (const row of rows.slice(steps.length))
    problems.push(`README.md's steps table has a row for no step: "| ${row.join(' | ')} |"`);
  return problems;
}

/**
 * What `npm test` says after its verdict: never "Next: start 7" after the
 * last step, and a failure of an earlier step than the code is at says so.
 */
import { afterFailure, afterPass } from '../src/cli/next-step';
import { loadSteps, type Step } from '../src/steps/manifest';

const steps = loadSteps();
const step = (id: number): Step => steps.find((s) => s.id === id)!;
const last = steps.filter((s) => !s.bonus).at(-1)!;
const bonus = steps.find((s) => s.bonus)!;
const nextMain = (id: number) => steps.find((s) => !s.bonus && s.id > id)!;

test('a step before the last says which one is next', () => {
  expect(afterPass(step(2), steps, [1, 2])).toBe(
    `Next: step ${nextMain(2).id}, ${nextMain(2).title}: \`npm run workshop -- start ${nextMain(2).id}\``,
  );
});

test('the last step says the workshop is done, and points to the bonus step', () => {
  const said = afterPass(last, steps, [1, 2, 3, 4, 5]);
  expect(said).toContain('the workshop is done');
  expect(said).toContain(`start ${bonus.id}`);
  expect(said).not.toMatch(/^Next:/);
  expect(said).not.toContain(`start ${Math.max(...steps.map((s) => s.id)) + 1}`);
});

test('with the bonus step passed too, the last step only says done', () => {
  const said = afterPass(
    last,
    steps,
    steps.map((s) => s.id),
  );
  expect(said).toBe('That was the last step: the workshop is done. Well done!');
});

test('the bonus step never points past the end', () => {
  const done = afterPass(
    bonus,
    steps,
    steps.map((s) => s.id),
  );
  expect(done).toContain('the workshop is done');
  expect(done).not.toMatch(/start \d/);
  // Taken early (it builds on step 2): back to the main path, not "start 7".
  const early = afterPass(bonus, steps, [1, 2, bonus.id]);
  expect(early).toContain('start 3');
});

test('failing an earlier step than the code is at says so, and how to go back', () => {
  const said = afterFailure(step(1), 3);
  expect(said).toContain('Your code is at step 3');
  expect(said).toContain("step 1's checks expect step 1's code");
  expect(said).toContain('`npm run workshop -- start 1`');
});

test('failing a later step than the one laid down says how to get there', () => {
  expect(afterFailure(step(4), 2)).toContain(
    'Step 4 is ahead of you (you are on step 2): `npm run workshop -- start 4`',
  );
});

test('failing the step you are on points to the hints', () => {
  expect(afterFailure(step(3), 3)).toBe('Stuck? `npm run workshop -- hint 3`');
});

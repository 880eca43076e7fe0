/**
 * `npm test`'s closing lines, around a verdict: the counts, the next step or
 * the end of the workshop, or that the code is at a later step. The grading
 * itself is the graders' business (their own tests run them for real); here
 * its verdict is given, and the learner's progress is kept in memory.
 */
import type { CheckRun } from '../src/grading/run-checks';
import type { Progress } from '../src/state';
import { loadSteps } from '../src/steps/manifest';

let verdict: CheckRun[] = [];
let progress: Progress = { current: 1, passed: [], hintsSeen: {} };

jest.mock('../src/grading/run-checks', () => ({ runChecks: async () => verdict }));
jest.mock('../src/state', () => ({
  loadProgress: () => structuredClone(progress),
  updateProgress: (change: (p: Progress) => void) => {
    change(progress);
    return structuredClone(progress);
  },
}));

// Imported after the mocks it uses (jest hoists them anyway).
import { testCommand } from '../src/commands/test';

const run = (kind: string, passed: number, failed: number): CheckRun => ({
  kind,
  passed: failed === 0,
  seconds: 1,
  output: '',
  tests: { passed, failed },
});

async function grade(step: number): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    return { code: await testCommand(step, 'local'), out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

const last = Math.max(...loadSteps().map((s) => s.id));

test('after the last step passes: the counts, and the workshop is done; never "start N+1"', async () => {
  progress = { current: last, passed: [1, 2, 3, 4, 5], hintsSeen: {} };
  verdict = [run('live', 3, 0)];
  const { code, out } = await grade(last);
  expect(code).toBe(0);
  expect(out).toContain('3 passed, 0 failed');
  expect(out).toContain('the workshop is done');
  expect(out).not.toContain(`start ${last + 1}`);
});

test('step 1 failing while the code is at step 3: says so, and how to go back', async () => {
  progress = { current: 3, passed: [1, 2], hintsSeen: {} };
  verdict = [run('infra', 2, 1)];
  const { code, out } = await grade(1);
  expect(code).toBe(1);
  expect(out).toContain('2 passed, 1 failed');
  expect(out).toContain('live checks not run');
  expect(out).toContain('Your code is at step 3');
  expect(out).toContain('`npm run workshop -- start 1`');
});

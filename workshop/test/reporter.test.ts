// eslint-disable-next-line @typescript-eslint/no-require-imports
const { clean } = require('../src/grading/reporter.cjs') as { clean: (message: string) => string };

test("the learners' reporter keeps the grader's words and drops stack frames and colours", () => {
  const raw =
    'GradeError: emails for 50 users: expected 50, saw 21.\n' +
    'Per replica: mail-1: 9\n' +
    '    at check (/work/main/workshop/src/grading/expect.ts:11:9)\n' +
    '    at Object.<anonymous> (/work/main/steps/03/checks/live.check.ts:40:5)\n' +
    '\u001b[31mred\u001b[39m';
  expect(clean(raw)).toBe('emails for 50 users: expected 50, saw 21.\nPer replica: mail-1: 9\nred');
});

test("a failure that is not the grader's own message is flagged with the marker verify looks for", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { explain, UNEXPECTED } = require('../src/grading/reporter.cjs') as {
    explain: (message: string) => string;
    UNEXPECTED: string;
  };
  expect(explain('TypeError: x is undefined\n    at f (a.ts:1:1)')).toBe(`${UNEXPECTED}: TypeError: x is undefined`);
  expect(explain('GradeError: 2 emails, expected 1')).toBe('2 emails, expected 1');
});

test('a failure shared by every check of a file (a failed beforeAll) is printed once', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Reporter = require('../src/grading/reporter.cjs') as new () => {
    onTestCaseResult(test: unknown, result: unknown): void;
  };
  const reporter = new Reporter();
  const failed = (title: string) => ({
    ancestorTitles: [],
    title,
    status: 'failed',
    failureMessages: ['GradeError: The system did not start with redis as its broker(s).\n    at x (a.ts:1:1)'],
  });
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    reporter.onTestCaseResult({}, failed('first check'));
    reporter.onTestCaseResult({}, failed('second check'));
  } finally {
    log.mockRestore();
  }
  // eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
  expect(lines.map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual([
    '  ✗ first check',
    '      The system did not start with redis as its broker(s).',
    '  ✗ second check',
    '      (the same as above)',
  ]);
});

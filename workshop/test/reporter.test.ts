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

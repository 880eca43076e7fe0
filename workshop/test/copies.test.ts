/**
 * The machine that keeps the copies of learner files in step: drift between
 * a starter and the step before, TODOs that give the answer away, the count
 * of lines a learner writes, and `steps sync` carrying a change forward.
 * Each runs on a small repository made for the test (a manifest, a baseline,
 * two steps), then on the real steps.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  codeLines,
  driftProblems,
  giveaways,
  learnerLines,
  todoLeaks,
  todoTexts,
  writtenCode,
} from '../src/steps/copies';
import { diffLines } from '../src/steps/line-diff';
import { loadSteps, REPO, type Step } from '../src/steps/manifest';
import { syncCopies } from '../src/steps/sync';

let repo: string;
const put = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
const get = (path: string) => readFileSync(join(repo, path), 'utf8');
const steps = (): Step[] => loadSteps(repo);
/** The test repository as a git commit: what `steps sync` merges against. */
const commitAll = () => {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: repo });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'steps');
};

const BASELINE = `import { helper } from './helper';
export const port = 1025;
export function wire() {
  return helper();
}
`;
const STARTER_1 = `import { helper } from './helper';
export const port = 1025;
export function wire() {
  // TODO: the mail service must reach MailDev by its name
  return helper();
}
`;
const SOLUTION_1 = `import { helper } from './helper';
export const port = 1025;
export function wire() {
  const smtpUrl = \`smtp://maildev:\${port}\`;
  return helper(smtpUrl);
}
`;
/** Step 2's starter: step 1's end with the port's line taken out for the learner. */
const STARTER_2 = `import { helper } from './helper';
// TODO: the port MailDev listens on, read from the environment
export function wire() {
  const smtpUrl = \`smtp://maildev:\${port}\`;
  return helper(smtpUrl);
}
`;
const SOLUTION_2 = `import { helper } from './helper';
export const port = Number(process.env.SMTP_PORT ?? 1025);
export function wire() {
  const smtpUrl = \`smtp://maildev:\${port}\`;
  return helper(smtpUrl);
}
`;

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'copies-'));
  mkdirSync(join(repo, 'steps'));
  copyFileSync(join(REPO, 'steps', 'steps.schema.json'), join(repo, 'steps', 'steps.schema.json'));
  const step = (id: number, slug: string) => ({
    id,
    slug,
    title: `Step ${slug}`,
    summary: 'A step made for the test.',
    files: ['infra/wire.ts'],
    hints: ['What does it need?'],
    checks: ['live'],
  });
  put('steps/steps.json', JSON.stringify({ steps: [step(1, '01-first'), step(2, '02-second')] }));
  put('steps/baseline/infra/wire.ts', BASELINE);
  put('steps/01-first/starter/infra/wire.ts', STARTER_1);
  put('solutions/01-first/infra/wire.ts', SOLUTION_1);
  put('steps/02-second/starter/infra/wire.ts', STARTER_2);
  put('solutions/02-second/infra/wire.ts', SOLUTION_2);
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('the line diff', () => {
  test('finds what changed, as hunks of both sides', () => {
    expect(diffLines(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual([
      { aStart: 1, aEnd: 2, bStart: 1, bEnd: 2 },
      { aStart: 3, aEnd: 3, bStart: 3, bEnd: 4 },
    ]);
    expect(diffLines(['a'], ['a'])).toEqual([]);
  });

  test('compares code only: comments, blank lines and trailing comments are left out', () => {
    const code = codeLines(
      `/**\n * doc\n */\nconst a = 1; // why\n\n// note\nconst url = 'smtp://x';\n/* one */ run();`,
    );
    expect(code.text).toEqual(['const a = 1;', "const url = 'smtp://x';", 'run();']);
    expect(code.lineNo).toEqual([4, 7, 8]);
  });
});

describe('drift: a starter differs from the step before only where its own edit is', () => {
  test('the steps as written hold together', () => {
    expect(steps().flatMap((s) => driftProblems(s, repo))).toEqual([]);
  });

  test('a change to step 1 solution that step 2 starter does not carry is drift, named with both sides', () => {
    put(
      'solutions/01-first/infra/wire.ts',
      SOLUTION_1.replace('return helper(smtpUrl);', 'return helper(smtpUrl, 5);'),
    );
    const problems = driftProblems(steps()[1]!, repo);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/starter infra\/wire\.ts drifted from solutions\/01-first\/infra\/wire\.ts/);
    expect(problems[0]).toMatch(/return helper\(smtpUrl, 5\);[\s\S]*return helper\(smtpUrl\);/);
  });

  test('a comment changed in a copy is not drift', () => {
    put(
      'steps/02-second/starter/infra/wire.ts',
      STARTER_2.replace('export function wire() {', '// Why: one place.\nexport function wire() {'),
    );
    expect(driftProblems(steps()[1]!, repo)).toEqual([]);
  });

  test('sync carries the change forward into the starter and the solution after it', () => {
    commitAll();
    put(
      'solutions/01-first/infra/wire.ts',
      SOLUTION_1.replace('return helper(smtpUrl);', 'return helper(smtpUrl, 5);'),
    );

    const result = syncCopies('HEAD', repo);

    expect(result).toEqual({
      updated: ['steps/02-second/starter/infra/wire.ts', 'solutions/02-second/infra/wire.ts'],
      conflicts: [],
      kept: ['solutions/01-first/infra/wire.ts'],
    });
    expect(get('steps/02-second/starter/infra/wire.ts')).toContain('return helper(smtpUrl, 5);');
    expect(get('steps/02-second/starter/infra/wire.ts')).toContain('// TODO: the port MailDev listens on');
    expect(get('solutions/02-second/infra/wire.ts')).toContain('Number(process.env.SMTP_PORT ?? 1025)');
    expect(steps().flatMap((s) => driftProblems(s, repo))).toEqual([]);
  });

  test('sync leaves a change that collides with a step own edit as a conflict', () => {
    commitAll();
    put(
      'solutions/01-first/infra/wire.ts',
      SOLUTION_1.replace('export const port = 1025;', 'export const port = 2525;'),
    );

    const result = syncCopies('HEAD', repo);

    // Step 2's starter took the port's line out for the learner: the change has nowhere to go but a person.
    expect(result.conflicts).toEqual(['steps/02-second/starter/infra/wire.ts']);
    expect(get('steps/02-second/starter/infra/wire.ts')).toContain('<<<<<<<');
    expect(get('solutions/02-second/infra/wire.ts')).toBe(SOLUTION_2);
  });

  test('a step rewritten by hand (its baseline, starter and solution) keeps its solution, and later steps follow it', () => {
    commitAll();
    const starter = STARTER_1.replace('return helper();', 'return helper(); // the fresh clone, as step 1 gives it');
    put('steps/baseline/infra/wire.ts', starter);
    put('steps/01-first/starter/infra/wire.ts', starter);
    put(
      'solutions/01-first/infra/wire.ts',
      SOLUTION_1.replace('return helper(smtpUrl);', 'return helper(smtpUrl, 5);'),
    );

    const result = syncCopies('HEAD', repo);

    expect(result.kept).toEqual(['solutions/01-first/infra/wire.ts']);
    expect(result.conflicts).toEqual([]);
    expect(get('steps/02-second/starter/infra/wire.ts')).toContain('return helper(smtpUrl, 5);');
    expect(steps().flatMap((s) => driftProblems(s, repo))).toEqual([]);
  });
});

describe('TODOs say what must become true, not the code', () => {
  test('a TODO gathers the comment lines that continue it', () => {
    expect(todoTexts('x();\n  // TODO: first part\n  // second part\nconst a = 1;')).toEqual([
      { line: 2, text: 'first part second part' },
    ]);
  });

  test('what a line of code gives away: dotted names, calls, literals, camelCase and CONSTANT_CASE names', () => {
    expect(giveaways("env: { SMTP_URL: mailDev.smtpUrl, queue: 'mail' }, natsConnection()").sort()).toEqual(
      ["'mail'", 'SMTP_URL', 'mailDev.smtpUrl', 'mailDev', 'smtpUrl', 'natsConnection('].sort(),
    );
  });

  test('the steps as written give nothing away', () => {
    expect(steps().flatMap((s) => todoLeaks(s, repo))).toEqual([]);
  });

  test('a TODO that quotes what the solution writes is named, with the names it gives away', () => {
    put('steps/01-first/starter/infra/wire.ts', STARTER_1.replace('by its name', 'with smtpUrl'));
    const [problem, ...rest] = todoLeaks(steps()[0]!, repo);
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /starter infra\/wire\.ts:4: the TODO gives the answer away \(smtpUrl is what the solution writes\)/,
    );
  });

  test('a quoted literal of the solution is a giveaway; the same word as plain English is not', () => {
    put('steps/01-first/starter/infra/wire.ts', STARTER_1.replace('by its name', "at 'smtp://maildev:'"));
    expect(todoLeaks(steps()[0]!, repo)).toHaveLength(1);
    put('steps/01-first/starter/infra/wire.ts', STARTER_1.replace('by its name', 'by the name maildev'));
    expect(todoLeaks(steps()[0]!, repo)).toEqual([]);
  });

  test('a name the step must give is allowed when todo-allow.json says why', () => {
    put('steps/02-second/starter/infra/wire.ts', STARTER_2.replace('read from the environment', 'read from SMTP_PORT'));
    expect(todoLeaks(steps()[1]!, repo)).toHaveLength(1);
    put('steps/02-second/todo-allow.json', JSON.stringify({ SMTP_PORT: 'the variable the container is given' }));
    expect(todoLeaks(steps()[1]!, repo)).toEqual([]);
  });

  test('a name the starter already has is not a giveaway', () => {
    put('steps/01-first/starter/infra/wire.ts', STARTER_1.replace('by its name', 'by its name, through helper()'));
    expect(todoLeaks(steps()[0]!, repo)).toEqual([]);
  });
});

describe('the lines a learner writes', () => {
  test('counts the code lines added or changed between start and end', () => {
    expect(learnerLines(steps()[0]!, repo)).toEqual([{ file: 'infra/wire.ts', lines: 2 }]);
    expect(learnerLines(steps()[1]!, repo)).toEqual([{ file: 'infra/wire.ts', lines: 1 }]);
  });
});

describe('the real steps', () => {
  test.each(loadSteps().map((s) => [s.id, s] as const))(
    'step %i: no drift, no TODO that gives the answer away',
    (_id, step) => {
      expect([...driftProblems(step), ...todoLeaks(step)]).toEqual([]);
    },
  );

  test.each(loadSteps().map((s) => [s.id, s] as const))(
    'step %i: the learner writes at least what its manifest promises',
    (_id, step) => {
      const writes = learnerLines(step).reduce((n, f) => n + f.lines, 0);
      expect(writes).toBeGreaterThanOrEqual(step.learnerWrites ?? 1);
    },
  );
});

test("the facilitator's table says how much each learner writes in each step, as counted", () => {
  const page = readFileSync(join(REPO, 'workshop-docs', 'facilitator.md'), 'utf8');
  const said = Object.fromEntries(
    [...page.matchAll(/^\| step (\d+)\b[^|]*\|\s*(\d+) lines\s*\|/gm)].map((m) => [Number(m[1]), Number(m[2])]),
  );
  const counted = Object.fromEntries(
    loadSteps().map((s) => [s.id, learnerLines(s).reduce((n, f) => n + f.lines, 0)] as const),
  );
  expect(said).toEqual(counted);
});

/** A step's edit, line by line: the code lines its solution adds or changes (long enough to be the answer). */
function answerLines(step: Step): string[] {
  return writtenCode(step)
    .flatMap(({ lines }) => lines)
    .filter((line) => line.length >= 16 && /[(=:]/.test(line) && !/^(import|export \{|\}|\))/.test(line));
}

test.each(loadSteps().map((s) => [s.id, s] as const))(
  "step %i: the guide shows the step's answer only in its collapsed solution block",
  (_id, step) => {
    const page = readFileSync(join(REPO, 'workshop-docs', 'steps', `${step.slug}.md`), 'utf8');
    const open = page.replace(/^::: details[\s\S]*?^:::$/gm, '');
    const shown = answerLines(step).filter((line) => open.includes(line));
    expect(shown).toEqual([]);
  },
);

/**
 * Colour: on for a terminal, off for a pipe or a file and with NO_COLOR, on
 * with FORCE_COLOR; the grader child gets FORCE_COLOR when the CLI shows
 * colour, and the graders' reporter follows the same rule.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { childColourEnv, colourOn, green } from '../src/cli/style';
import { REPO } from '../src/steps/manifest';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const reporter = require('../src/grading/reporter.cjs') as {
  colourOn: (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv) => boolean;
  new (): { onTestCaseResult(test: unknown, result: unknown): void };
};

// eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
const ANSI = /\u001b\[\d+m/;
const tty = { isTTY: true };
const pipe = { isTTY: false };

const CASES: [string, { isTTY: boolean }, NodeJS.ProcessEnv, boolean][] = [
  ['a terminal', tty, {}, true],
  ['a pipe or a file', pipe, {}, false],
  ['a terminal with NO_COLOR', tty, { NO_COLOR: '1' }, false],
  ['a terminal with NO_COLOR empty (no-color.org: ignored)', tty, { NO_COLOR: '' }, true],
  ['a dumb terminal', tty, { TERM: 'dumb' }, false],
  ['a pipe with FORCE_COLOR', pipe, { FORCE_COLOR: '1' }, true],
  ['a pipe with FORCE_COLOR and NO_COLOR', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
  ['a terminal with FORCE_COLOR=0', tty, { FORCE_COLOR: '0' }, false],
];

test.each(CASES)('colour on %s: the CLI and the reporter agree', (_what, stream, env, on) => {
  expect(colourOn(stream, env)).toBe(on);
  expect(reporter.colourOn(stream, env)).toBe(on);
});

test('green() paints only when colour is on', () => {
  expect(green('✓', tty)).toMatch(ANSI);
  expect(green('✓', pipe)).toBe('✓');
});

test('the grader child gets FORCE_COLOR when the CLI shows colour, and nothing when it does not', () => {
  expect(childColourEnv({}, tty).FORCE_COLOR).toBe('1');
  // Without NO_COLOR beside it: Node warns when it sees both.
  expect(childColourEnv({ NO_COLOR: '', PATH: '/bin' }, tty)).toEqual({ PATH: '/bin', FORCE_COLOR: '1' });
  expect(childColourEnv({}, pipe).FORCE_COLOR).toBeUndefined();
  expect(childColourEnv({ NO_COLOR: '1' }, tty)).toEqual({ NO_COLOR: '1' });
});

describe('the reporter marks each check as it finishes', () => {
  const result = {
    ancestorTitles: [],
    title: 'one email per user',
    status: 'passed',
    duration: 1200,
    failureMessages: [],
  };
  const printed = (env: NodeJS.ProcessEnv): string => {
    const saved = { ...process.env };
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      Object.assign(process.env, env);
      for (const key of ['FORCE_COLOR', 'NO_COLOR']) if (!(key in env)) delete process.env[key];
      new reporter().onTestCaseResult({}, result);
    } finally {
      log.mockRestore();
      process.env = saved;
    }
    return lines.join('\n');
  };

  test('in colour under a CLI that shows colour', () => {
    expect(printed({ FORCE_COLOR: '1' })).toMatch(ANSI);
  });

  test('plain otherwise', () => {
    const plain = printed({ NO_COLOR: '1' });
    expect(plain).not.toMatch(ANSI);
    expect(plain).toBe('  ✓ one email per user (1.2 s)');
  });
});

describe('the real CLI', () => {
  const status = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'workshop/src/cli.ts'), 'status'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });

  test('prints no colour codes into a pipe', () => {
    const run = status({});
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Grade the current step');
    expect(run.stdout).not.toMatch(ANSI);
  });

  test('prints them with FORCE_COLOR', () => {
    expect(status({ FORCE_COLOR: '1' }).stdout).toMatch(ANSI);
  });
});

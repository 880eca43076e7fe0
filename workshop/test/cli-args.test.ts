/**
 * The CLI's arguments: each command's flags in both forms, --help on every
 * command (and nothing else happens), unknown flags and missing values are
 * usage errors (exit 2) that show the command as the learner types it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommand, UsageError } from '../src/cli/args';
import { COMMANDS, find, main } from '../src/cli';
import { REPO } from '../src/steps/manifest';
import { stateFile } from '../src/state';

function spec(name: string) {
  const found = find(name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
}

/** Runs main() and keeps what it printed. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('local', () => {
  test('--mail=2 and --mail 2 mean the same (the = form was ignored before)', () => {
    const a = parseCommand(spec('local'), ['redis', '--mail=2', '--push=3']);
    const b = parseCommand(spec('local'), ['redis', '--mail', '2', '--push', '3']);
    expect(a).toEqual(b);
    expect(a).toEqual({ help: false, values: { mail: '2', push: '3' }, positionals: ['redis'] });
  });

  test('switches take no value, and the word after them stays a positional', () => {
    expect(parseCommand(spec('local'), ['--no-docs', 'nats'])).toEqual({
      help: false,
      values: { 'no-docs': true },
      positionals: ['nats'],
    });
    expect(() => parseCommand(spec('local'), ['--plan=yes'])).toThrow('--plan takes no value');
  });

  test('an unknown flag is an error, not ignored', () => {
    expect(() => parseCommand(spec('local'), ['redis', '--mial', '2'])).toThrow('unknown option --mial');
  });

  test('a flag without its value is an error', () => {
    expect(() => parseCommand(spec('local'), ['--mail'])).toThrow('--mail needs a value');
    expect(() => parseCommand(spec('local'), ['--mail', '--push', '2'])).toThrow('--mail needs a value');
  });

  test('bad values exit 2 with the usage line as the learner types it', async () => {
    for (const argv of [
      ['local', '--mail', 'two'],
      ['local', '--mail', '0'],
      ['local', 'kafka'],
      ['local', '--plan', 'nats'],
    ]) {
      const { code, err } = await run(...argv);
      expect(code).toBe(2);
      expect(err).toContain('usage: npm run local -- [redis|nats] [--mail N] [--push N] [--plan] [--no-docs]');
    }
  });
});

describe('test (npm test)', () => {
  test('a step and --target, in both forms', () => {
    expect(parseCommand(spec('test'), ['3', '--target=stack'])).toEqual({
      help: false,
      values: { target: 'stack' },
      positionals: ['3'],
    });
    expect(parseCommand(spec('test'), ['--target', 'local'])).toEqual({
      help: false,
      values: { target: 'local' },
      positionals: [],
    });
  });

  test('a wrong target, a jest flag or two steps are usage errors that show `npm test -- ...`', async () => {
    for (const argv of [
      ['test', '--target', 'docker'],
      ['test', '--watch'],
      ['test', '3', '4'],
      ['test', 'three'],
    ]) {
      const { code, err } = await run(...argv);
      expect(code).toBe(2);
      expect(err).toContain('usage: npm test -- [N] [--target local|stack]');
    }
  });
});

test('watch takes a step and --poll', () => {
  expect(parseCommand(spec('watch'), ['2', '--poll'])).toEqual({
    help: false,
    values: { poll: true },
    positionals: ['2'],
  });
  expect(() => parseCommand(spec('watch'), ['--interval=5'])).toThrow(UsageError);
});

test('start and solve need a step, and say so with the command the learner types', async () => {
  for (const name of ['start', 'solve']) {
    const { code, err } = await run(name);
    expect(code).toBe(2);
    expect(err).toContain(`usage: npm run workshop -- ${name} N`);
    expect(err).not.toContain('workshop start <step>');
  }
  expect((await run('start', 'x')).err).toContain('the step is a number, not "x"');
});

test('hint, diff and measure take at most one number', async () => {
  expect(parseCommand(spec('hint'), ['2'])).toEqual({ help: false, values: {}, positionals: ['2'] });
  expect((await run('hint', '2', '3')).code).toBe(2);
  expect((await run('diff', '--all')).code).toBe(2);
  expect((await run('measure', '0')).err).toContain('at least 1');
});

test('pulumi passes everything on, except its own --help', () => {
  expect(parseCommand(spec('pulumi'), ['config', 'set', 'mailReplicas', '2', '--yes'])).toEqual({
    help: false,
    values: {},
    positionals: ['config', 'set', 'mailReplicas', '2', '--yes'],
  });
  expect(parseCommand(spec('pulumi'), ['--help'])).toEqual({ help: true });
  expect(parseCommand(spec('pulumi'), ['stack', '--help'])).toMatchObject({ help: false });
});

test('--help and -h on every command print its usage and return 0', async () => {
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      const { code, out } = await run(command.name, flag);
      expect(code).toBe(0);
      expect(out.split('\n')[0]).toBe(`usage: ${command.usage}`);
    }
  }
});

test('`hint 3 --help` uses no hint, `test --help` grades nothing', async () => {
  const file = stateFile(REPO);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const hint = await run('hint', '3', '--help');
  expect(hint.out).not.toContain('hint 1 of');
  expect(existsSync(file) ? readFileSync(file, 'utf8') : undefined).toBe(before);

  const grade = await run('test', '--help');
  expect(grade.out).toMatch(/^usage: npm test -- /);
  expect(grade.out).not.toMatch(/Step \d|checks/); // what grading prints first
});

test('--version, the overview, and an unknown command', async () => {
  const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  expect((await run('--version')).out).toBe(`workshop ${version} (node ${process.version})`);
  const overview = await run('--help');
  for (const command of COMMANDS) expect(overview.out).toContain(command.usage);
  const unknown = await run('strat', '3');
  expect(unknown.code).toBe(2);
  expect(unknown.err).toContain('there is no command "strat"');
});

test('the real CLI exits with 2 and the usage on an unknown flag', () => {
  const cli = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO, 'workshop/src/cli.ts'), 'local', '--mail=2', '--bogus'],
    {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(cli.status).toBe(2);
  expect(cli.stderr).toContain('workshop local: unknown option --bogus');
  expect(cli.stderr).toContain('usage: npm run local -- ');
});

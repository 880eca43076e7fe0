/**
 * The progress lines of a live check and of `local`: silent unless turned
 * on, counts at most once a second, a heartbeat while something long lasts;
 * and the CLI's echo of the grader child, whole lines as they come.
 */
import { graderEcho } from '../src/cli/grader-echo';
import { progress, showProgress, tick, timed } from '../src/cli/progress';

let lines: string[];

beforeEach(() => {
  lines = [];
  jest.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  showProgress(false);
  jest.useRealTimers();
});

test('silent unless turned on (the project tests and verify see none)', () => {
  const write = jest.spyOn(process.stdout, 'write');
  progress('NATS ready');
  tick('k', 'a count');
  expect(write).not.toHaveBeenCalled();
  write.mockRestore();
});

test('one line per phase; a repeated count at most once a second', () => {
  showProgress((line) => lines.push(line));
  progress('NATS ready');
  tick('deliveries', 'waiting for deliveries 1/200');
  tick('deliveries', 'waiting for deliveries 2/200');
  tick('users', () => '10/200 users created');
  jest.advanceTimersByTime(1_000);
  tick('deliveries', 'waiting for deliveries 150/200');
  expect(lines).toEqual([
    'NATS ready',
    'waiting for deliveries 1/200',
    '10/200 users created',
    'waiting for deliveries 150/200',
  ]);
});

test('timed: a heartbeat while it lasts, then what is done and how long it took', async () => {
  showProgress((line) => lines.push(line));
  let finish: (value: string) => void = () => undefined;
  const work = timed('starting 6 replicas', 'replicas started', new Promise<string>((resolve) => (finish = resolve)));
  jest.advanceTimersByTime(3_100);
  finish('ok');
  await expect(work).resolves.toBe('ok');
  expect(lines).toEqual([
    'starting 6 replicas (1.0 s)',
    'starting 6 replicas (2.0 s)',
    'starting 6 replicas (3.0 s)',
    'replicas started 3.1 s',
  ]);
  jest.advanceTimersByTime(5_000);
  expect(lines).toHaveLength(4); // the heartbeat stopped
});

test('timed: work given as a function starts after the clock', async () => {
  showProgress((line) => lines.push(line));
  const work = timed('starting', 'started', () => {
    jest.advanceTimersByTime(1_000); // blocks as it starts, like spawning processes
    return Promise.resolve(1);
  });
  await expect(work).resolves.toBe(1);
  expect(lines).toEqual(['starting (1.0 s)', 'started 1.0 s']);
});

describe("the grader child's output", () => {
  test('whole lines, even when a chunk ends mid-line; without jest banners, in colour or not', () => {
    const echo = graderEcho((line) => lines.push(line));
    echo.take('Running one project: grading\n    · services bu');
    echo.take('ilt 1.2 s\n  ✓ one email\n\u001b[1mForce exiting Jest: \u001b[22mHave you considered\n');
    echo.take('Test results written to: /tmp/x/results.json\npartial');
    echo.end();
    expect(lines).toEqual([
      expect.stringContaining('starting jest'),
      '    · services built 1.2 s',
      '  ✓ one email',
      'partial',
    ]);
  });

  test('while jest starts, a line every second; none once the checks speak', () => {
    const echo = graderEcho((line) => lines.push(line));
    jest.advanceTimersByTime(3_000);
    echo.take('    · Pulumi program read 0.9 s\n');
    jest.advanceTimersByTime(6_000);
    echo.end();
    // eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
    expect(lines.map((l) => l.replace(/\u001b\[\d+m/g, ''))).toEqual([
      '    · starting jest',
      '    · starting jest (1.0 s)',
      '    · starting jest (2.0 s)',
      '    · starting jest (3.0 s)',
      '    · Pulumi program read 0.9 s',
    ]);
  });
});

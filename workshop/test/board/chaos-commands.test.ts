import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localChaos, stackChaos, type StackDeps } from '../../src/board/chaos-commands';
import { stackBoardCommand } from '../../src/board/stack-board';
import { GradeError } from '../../src/grading/expect';

let errors: string[];
let logs: string[];

beforeEach(() => {
  errors = [];
  logs = [];
  jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
});

afterEach(() => jest.restoreAllMocks());

/** A stand-in for the stack's outputs and for Docker: records what would run. */
function stand(outputs: () => ReturnType<StackDeps['outputs']>, status = 0) {
  const calls: string[][] = [];
  const deps: StackDeps = {
    outputs,
    docker: (args) => {
      calls.push(args);
      return { status, stderr: status ? 'Error response from daemon: No such container: x\n' : '' };
    },
  };
  return { deps, calls };
}

const OUTPUTS = {
  gatewayUrl: 'http://127.0.0.1:1',
  mailDevUrl: 'http://127.0.0.1:2',
  pushSinkUrl: 'http://127.0.0.1:3',
  containers: { 'mail-1': 'workshop-mail-1-4f2a', 'mail-2': 'workshop-mail-2-9b1c' },
};

test('without stack outputs (no Pulumi CLI, nothing deployed), one clear line and no docker call', async () => {
  const { deps, calls } = stand(() => {
    throw new GradeError('The stack "dev" cannot be graded (no stack). Deploy it first: npm run workshop -- up\nmore');
  });
  expect(await stackChaos('kill', 'mail-1', deps)).toBe(1);
  expect(errors).toEqual(['The stack "dev" cannot be graded (no stack). Deploy it first: npm run workshop -- up']);
  expect(calls).toEqual([]);
});

test('kill and restart run docker on the container the outputs name', async () => {
  const { deps, calls } = stand(() => OUTPUTS);
  expect(await stackChaos('kill', 'mail-2', deps)).toBe(0);
  expect(await stackChaos('restart', 'mail-2', deps)).toBe(0);
  expect(calls).toEqual([
    ['kill', 'workshop-mail-2-9b1c'],
    ['restart', 'workshop-mail-2-9b1c'],
  ]);
});

test('a replica the outputs do not name is refused, naming it and the known ones', async () => {
  const { deps, calls } = stand(() => OUTPUTS);
  expect(await stackChaos('kill', 'mail-9', deps)).toBe(1);
  expect(errors[0]).toBe('workshop kill: the stack has no replica "mail-9" (its outputs name: mail-1, mail-2)');
  expect(calls).toEqual([]);
});

test("docker's failure is one line", async () => {
  const { deps } = stand(() => OUTPUTS, 1);
  expect(await stackChaos('kill', 'mail-1', deps)).toBe(1);
  expect(errors).toEqual([
    'workshop kill: docker kill workshop-mail-1-4f2a failed: Error response from daemon: No such container: x',
  ]);
});

test('locally, without a running system, one line says how to start one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'chaos-'));
  try {
    expect(await localChaos('kill', 'mail-1', join(dir, 'absent.json'))).toBe(1);
    // A state file left by a run that is gone: its board does not answer.
    await writeFile(join(dir, 'stale.json'), JSON.stringify({ boardUrl: 'http://127.0.0.1:9' }));
    expect(await localChaos('restart', 'mail-1', join(dir, 'stale.json'))).toBe(1);
    expect(errors).toHaveLength(2);
    for (const line of errors) expect(line).toMatch(/^No local system is running: start one .*npm run local/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad arguments are refused before anything is sent', async () => {
  await expect(stackChaos('burst', '0', stand(() => OUTPUTS).deps)).rejects.toThrow(
    'burst takes a number of users from 1 to 1000, not "0"',
  );
  await expect(stackChaos('kill', undefined, stand(() => OUTPUTS).deps)).rejects.toThrow('kill takes a replica');
});

test('the stack board without stack outputs is one clear line, and serves nothing', async () => {
  const code = await stackBoardCommand(() => {
    throw new GradeError('--target stack grades what `workshop up` deployed, with the Pulumi CLI: install it\nmore');
  });
  expect(code).toBe(1);
  expect(errors).toEqual(['--target stack grades what `workshop up` deployed, with the Pulumi CLI: install it']);
});

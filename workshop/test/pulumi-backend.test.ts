/**
 * `cd infra && pulumi config set mailReplicas 2` (the documented form, with
 * PULUMI_CONFIG_PASSPHRASE=workshop) and `npm run workshop -- pulumi config
 * get mailReplicas` act on the same stack: a stand-in `pulumi` resolves the
 * backend as the CLI does (PULUMI_BACKEND_URL, else Pulumi.yaml's
 * backend.url against the working folder) and checks the passphrase against
 * the committed encryptionsalt with Pulumi's own scheme.
 */
import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { keyOfSalt, makeEncryptionSalt } from '../src/commands/passphrase';
import { pulumiPassthrough } from '../src/commands/pulumi';

// Each stand-in pulumi call derives the stack key as Pulumi does (PBKDF2, 1,000,000 rounds):
// about a second each on an idle core, several on a loaded machine.
jest.setTimeout(60_000);

const REPO = join(__dirname, '..', '..');
let scratch: string;
let bin: string;
let log: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'pulumi-backend-'));
  bin = join(scratch, 'bin');
  log = join(scratch, 'calls.log');
  await mkdir(bin);
  // What a fresh clone has: infra/'s Pulumi files and the committed (empty) backend folder.
  await mkdir(join(scratch, 'repo', 'infra'), { recursive: true });
  for (const f of ['Pulumi.yaml', 'Pulumi.dev.yaml'])
    await cp(join(REPO, 'infra', f), join(scratch, 'repo', 'infra', f));
  const tracked = spawnSync('git', ['ls-files', '.workshop/pulumi'], { cwd: REPO, encoding: 'utf8' }).stdout.trim();
  for (const f of tracked.split('\n').filter(Boolean)) {
    await mkdir(join(scratch, 'repo', f, '..'), { recursive: true });
    await cp(join(REPO, f), join(scratch, 'repo', f));
  }
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const standIn = join(__dirname, 'fixtures', 'pulumi-stand-in.ts');
  await writeFile(join(bin, 'pulumi'), `#!/bin/sh\nexec "${process.execPath}" --import ${tsx} "${standIn}" "$@"\n`);
  await chmod(join(bin, 'pulumi'), 0o755);
});

afterAll(() => rm(scratch, { recursive: true, force: true }));

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: `${bin}:/usr/bin:/bin`,
  HOME: scratch,
  STAND_IN_LOG: log,
  ...extra,
});
const lines = async () => (await readFile(log, 'utf8')).trim().split('\n');

test('the committed encryptionsalt opens with the public passphrase "workshop", and only with it', async () => {
  const stackFile = await readFile(join(REPO, 'infra', 'Pulumi.dev.yaml'), 'utf8');
  const salt = /^encryptionsalt:\s*(\S+)/m.exec(stackFile)?.[1];
  expect(salt).toMatch(/^v1:[A-Za-z0-9+/=]+:v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
  expect(keyOfSalt('workshop', salt!)).toHaveLength(32);
  expect(() => keyOfSalt('not-it', salt!)).toThrow(/incorrect passphrase/);
  expect(() => keyOfSalt('workshop', makeEncryptionSalt('other'))).toThrow(/incorrect passphrase/);
});

test('pulumi in infra/ by hand and the wrapper use the same backend and stack', async () => {
  const infra = join(scratch, 'repo', 'infra');
  const byHand = (...args: string[]) =>
    spawnSync('pulumi', args, { cwd: infra, env: env({ PULUMI_CONFIG_PASSPHRASE: 'workshop' }), encoding: 'utf8' });
  expect(byHand('stack', 'select', 'dev', '--create').status).toBe(0);
  expect(byHand('config', 'set', 'mailReplicas', '2').status).toBe(0);

  const code = await pulumiPassthrough(['config', 'get', 'mailReplicas'], { repo: join(scratch, 'repo'), env: env() });
  expect(code).toBe(0);
  const backend = join(scratch, 'repo', '.workshop', 'pulumi');
  expect(await lines()).toEqual([
    `${infra}|${backend}|selected dev`,
    `${infra}|${backend}|dev|mailReplicas=2`,
    `${infra}|${backend}|selected dev`, // the wrapper's own `stack select dev --create`
    `${infra}|${backend}|dev|mailReplicas=2`,
  ]);
});

test('without the passphrase, the CLI would not open the stack (the one thing to give by hand)', () => {
  const run = spawnSync('pulumi', ['config', 'get', 'mailReplicas'], {
    cwd: join(scratch, 'repo', 'infra'),
    env: env(),
    encoding: 'utf8',
  });
  expect(run.status).toBe(1);
});

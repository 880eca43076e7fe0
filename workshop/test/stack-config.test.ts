/**
 * `workshop config`: the stack file written as Pulumi reads it (namespaced
 * keys, string values), checked against Pulumi.yaml's schema, comments and
 * unknown keys kept, and a line that names the setting when the stack and
 * the code disagree.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../src/cli/args';
import { configCommand } from '../src/cli/config';
import { getSetting, readProject, readSettings, SECRET_KEYS, writeSetting } from '../src/cli/stack-config';
import { stackMismatch } from '../src/cli/stack-mismatch';
import { find } from '../src/cli';
import { REPO } from '../src/steps/manifest';

const INFRA = join(REPO, 'infra');
// Pulumi's own YAML parser (js-yaml, from @pulumi/pulumi), as the plan reader uses it.
const pulumiYaml = createRequire(require.resolve('@pulumi/pulumi', { paths: [INFRA] }))('js-yaml') as {
  load(text: string): { config?: Record<string, unknown> };
};

const STACK = `# a comment the learner wrote
encryptionsalt: v1:abc:def
config:
  # replicas for step 2
  other:thing: kept
`;

let dir: string;
const file = () => join(dir, 'Pulumi.dev.yaml');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stack-config-'));
  copyFileSync(join(INFRA, 'Pulumi.yaml'), join(dir, 'Pulumi.yaml'));
  writeFileSync(file(), STACK);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the project name is the namespace of the keys', () => {
  expect(readProject(dir).name).toBe(readProject(INFRA).name);
});

test('set, get, unset: a round trip that Pulumi reads, comments and unknown keys kept', () => {
  const name = readProject(dir).name;
  writeSetting(dir, 'dev', 'transport', 'nats');
  writeSetting(dir, 'dev', `${name}:mailReplicas`, '2');
  writeSetting(dir, 'dev', 'idempotencyStore', 'true');
  const text = readFileSync(file(), 'utf8');
  expect(text).toContain('# a comment the learner wrote');
  expect(text).toContain('# replicas for step 2');
  expect(text).toContain('encryptionsalt: v1:abc:def');
  expect(pulumiYaml.load(text).config).toEqual({
    'other:thing': 'kept',
    [`${name}:transport`]: 'nats',
    [`${name}:mailReplicas`]: '2',
    [`${name}:idempotencyStore`]: 'true',
  });
  expect(getSetting(dir, 'dev', 'mailReplicas')).toMatchObject({ value: '2', from: 'stack' });
  expect(getSetting(dir, 'dev', 'pushReplicas')).toMatchObject({ value: '1', from: 'default' });

  for (const key of ['transport', 'mailReplicas', 'idempotencyStore']) writeSetting(dir, 'dev', key, undefined);
  expect(pulumiYaml.load(readFileSync(file(), 'utf8')).config).toEqual({ 'other:thing': 'kept' });
  expect(readFileSync(file(), 'utf8')).toContain('# a comment the learner wrote');
});

test("the committed stack file's `config: {}` becomes a block, and comes back", () => {
  const committed = readFileSync(join(INFRA, 'Pulumi.dev.yaml'), 'utf8');
  writeFileSync(file(), committed);
  writeSetting(dir, 'dev', 'transport', 'jetstream');
  expect(readFileSync(file(), 'utf8')).toMatch(/^config:\n {2}\w+:transport: jetstream\n/m);
  writeSetting(dir, 'dev', 'transport', undefined);
  expect(readFileSync(file(), 'utf8')).toBe(committed);
});

test('a stack with no file yet gets one', () => {
  writeSetting(dir, 'other', 'pushReplicas', '3');
  expect(getSetting(dir, 'other', 'pushReplicas').value).toBe('3');
});

test('validation: unknown keys, values of the wrong type, and nothing is written', () => {
  const spec = find('config')!;
  const bad: [string[], RegExp][] = [
    [['set', 'mailReplica', '2'], /"mailReplica" is not a setting of this stack; the settings are: .*mailReplicas/],
    [['set', 'mailReplicas', 'two'], /mailReplicas takes a whole number, not "two"/],
    [['set', 'natsToken', 'x'], /natsToken is a secret, .*pulumi config set --secret natsToken <value>/],
    [['set', 'idempotencyStore', 'yes'], /idempotencyStore is true or false, not "yes"/],
    [['set', 'transport'], /set takes a KEY and a VALUE/],
    [['get'], /get takes one KEY/],
    [['delete', 'transport'], /the action is get, set, unset or list/],
  ];
  for (const [args, message] of bad) {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      expect(() => configCommand(args, spec, dir)).toThrow(UsageError);
      expect(() => configCommand(args, spec, dir)).toThrow(message);
    } finally {
      log.mockRestore();
    }
  }
  expect(readFileSync(file(), 'utf8')).toBe(STACK);
});

test('the config command lists every setting with its source', () => {
  writeSetting(dir, 'dev', 'mailReplicas', '2');
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    expect(configCommand([], find('config')!, dir)).toBe(0);
  } finally {
    log.mockRestore();
  }
  expect(lines.join('\n')).toMatch(/mailReplicas\s+2\s+set in the stack/);
  expect(readSettings(dir, 'dev')).toHaveLength(readProject(dir).keys.length);
});

describe('local when the code and the run disagree on the broker: one line that names what to change', () => {
  const plan = (current: number) => ({ plan: true, transport: 'redis' as const, infraDir: dir, current });

  test('--plan: the code uses NATS, the stack says redis', () => {
    const failure = 'mail-1 exited (code 1); its last output:\n[mail-1] cannot start: NATS_URL is not set';
    const said = stackMismatch(failure, plan(3))!;
    expect(said).toContain('`npm run workshop -- config set transport nats`');
    expect(said).not.toContain('\n');
    expect(said).not.toContain('npm run local -- nats'); // the circular advice of before
  });

  test('--plan: from step 4, jetstream; from step 5, the idempotency store', () => {
    expect(stackMismatch('NATS_URL is not set', plan(4))).toContain('config set transport jetstream');
    writeSetting(dir, 'dev', 'transport', 'jetstream');
    expect(stackMismatch('REDIS_URL is not set', plan(5))).toContain('config set idempotencyStore true');
  });

  test('without --plan, the command to run instead', () => {
    const run = (transport: 'redis' | 'nats') => ({ plan: false, transport, infraDir: dir });
    expect(stackMismatch('NATS_URL is not set', run('redis'))).toContain('run `npm run local -- nats`');
    const deaf = 'timed out after 10000 ms waiting for 1 subscriber(s) on "user.create" at the broker';
    expect(stackMismatch(deaf, run('nats'))).toBe(
      'Your services use Redis (nothing subscribed to user.create on NATS): run `npm run local -- redis`.',
    );
  });

  test('any other failure is left as it is', () => {
    expect(stackMismatch('gateway-1 exited (code 1)', plan(3))).toBeUndefined();
  });
});

test('the secrets the CLI knows are the ones infra/config.ts reads as secrets, and Pulumi.yaml declares none of them', () => {
  const config = readFileSync(join(__dirname, '..', '..', 'infra', 'config.ts'), 'utf8');
  const read = [...config.matchAll(/(?:get|require)Secret\('(\w+)'/g)].map((m) => m[1]);
  expect(Object.keys(SECRET_KEYS).sort()).toEqual(read.sort());
  const project = readFileSync(join(__dirname, '..', '..', 'infra', 'Pulumi.yaml'), 'utf8');
  for (const key of read) expect(project).not.toMatch(new RegExp(`^  ${key}:`, 'm'));
});

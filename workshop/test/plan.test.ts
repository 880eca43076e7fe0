/**
 * The Pulumi program (infra/) read under pulumi.runtime.setMocks, in each
 * configuration the steps use: what it declares must be a system that runs.
 * No Pulumi CLI, no Docker. Each readPlan() is a child process that sets the
 * mocks, then imports the program.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS } from '../../infra/config';
import { ciConfig } from '../src/ci/container-check';
import {
  PlanError,
  planProblems,
  planToTopology,
  readPlan,
  replicasOf,
  unresolvedHosts,
  type Plan,
  type PlanContainer,
} from '../src/plan';
import type { BackingEndpoints } from '../src/runtime/backing';
import { toLoopback } from '../src/runtime/fleet';
import { SERVICE_NAMES } from '../src/runtime/topology';
import { endOverlays, getStep } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';

// Each readPlan() is a Node process that loads Pulumi: about 2 s, more on a busy machine.
jest.setTimeout(30_000);

const REPO = join(__dirname, '..', '..');
/**
 * The working tree's infra/ is the start of step 1 (with TODOs): these tests
 * read the program as the steps leave it, in a tree with solutions 1..5.
 */
let SOLVED: string;
let INFRA: string;
const MIRROR = 'mirror.local:5000/node:24-bookworm-slim';

const CONFIGS = {
  // No config at all: the defaults (Pulumi.yaml's, repeated in config.ts).
  'redis, 1 replica each': {},
  'redis, 2 mail + 2 push': { transport: 'redis', mailReplicas: 2, pushReplicas: 2 },
  'nats, 2 mail + 2 push': { transport: 'nats', mailReplicas: 2, pushReplicas: 2, baseImage: MIRROR },
  'jetstream, 3 mail + 2 push': { transport: 'jetstream', mailReplicas: 3, pushReplicas: 2 },
  'jetstream with the idempotency store': { transport: 'jetstream', idempotencyStore: true, mailReplicas: 2 },
} as const;
type ConfigName = keyof typeof CONFIGS;

const plans = new Map<ConfigName, Plan>();

beforeAll(async () => {
  SOLVED = await makeTree(REPO, `plan-solved-${process.pid}`, endOverlays(getStep(5)));
  INFRA = join(SOLVED, 'infra');
  const names = Object.keys(CONFIGS) as ConfigName[];
  const read = await Promise.all(names.map((name) => readPlan(INFRA, { config: { ...CONFIGS[name] } })));
  names.forEach((name, i) => plans.set(name, read[i]));
}, 90_000);

const plan = (name: ConfigName) => plans.get(name)!;
const byRole = (p: Plan, role: string) => p.containers.filter((c) => c.role === role);
const envOfAll = (cs: PlanContainer[]) => cs.map((c) => c.env);

describe.each(Object.keys(CONFIGS) as ConfigName[])('%s', (name) => {
  const config = { transport: 'redis', ...CONFIGS[name] } as Record<string, string | number | boolean>;
  const expected = {
    gateway: 1,
    user: 1,
    mail: Number(config.mailReplicas ?? 1),
    push: Number(config.pushReplicas ?? 1),
  };

  test('one network, which every container joins', () => {
    const p = plan(name);
    expect(p.networks).toHaveLength(1);
    for (const c of p.containers) expect(c.networks.map((n) => n.network)).toEqual([p.networks[0].name]);
  });

  test('every host an env names is an alias on the container network', () => {
    const p = plan(name);
    expect(unresolvedHosts(p)).toEqual([]);
    expect(planProblems(p)).toEqual([]);
    // And the envs do name hosts: the check above is not vacuous.
    const hosts = p.containers.flatMap((c) => Object.values(c.env).filter((v) => v.includes('://')));
    expect(hosts.length).toBeGreaterThanOrEqual(5);
  });

  test('replica counts and distinct REPLICA_IDs', () => {
    const p = plan(name);
    for (const service of SERVICE_NAMES) {
      const replicas = replicasOf(p, service);
      expect(replicas).toHaveLength(expected[service]);
      expect(replicas.map((r) => r.env.REPLICA_ID)).toEqual(
        Array.from({ length: expected[service] }, (_, i) => `${service}-${i + 1}`),
      );
      for (const r of replicas) {
        expect(r.restart).toBe('unless-stopped');
        expect(r.healthcheck?.tests[0]).toBe('CMD');
        expect(r.labels['workshop.replica']).toBe(r.env.REPLICA_ID);
      }
    }
    const ids = p.containers.filter((c) => c.replicaId).map((c) => c.replicaId);
    expect(new Set(ids).size).toBe(ids.length);
    const names = p.containers.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  test('only the gateway, the MailDev UI and the push sink are published, on 127.0.0.1', () => {
    const p = plan(name);
    const published = p.containers.flatMap((c) => c.ports.map((port) => ({ role: c.role, ...port })));
    expect(published.map((x) => [x.role, x.internal, x.external]).sort()).toEqual(
      [
        ['gateway', 3000, 3000],
        ['maildev', 1080, 1080],
        ['push-sink', 8080, 8080],
      ].sort(),
    );
    for (const port of published) expect(port.ip).toBe('127.0.0.1');
    for (const role of ['redis', 'nats', 'user', 'mail', 'push']) {
      for (const c of byRole(p, role)) expect(c.ports).toEqual([]);
    }
  });

  test('the brokers the transport needs, and the services pointed at them', () => {
    const p = plan(name);
    const services = p.containers.filter((c) => SERVICE_NAMES.includes(c.role as never));
    const nats = config.transport !== 'redis';
    const redis = !nats || config.idempotencyStore === true;
    expect(byRole(p, 'nats')).toHaveLength(nats ? 1 : 0);
    expect(byRole(p, 'redis')).toHaveLength(redis ? 1 : 0);
    for (const env of envOfAll(services)) {
      expect(env.NATS_URL).toBe(nats ? 'nats://nats:4222' : undefined);
      expect(env.REDIS_URL).toBe(redis ? 'redis://redis:6379' : undefined);
    }
    if (nats) expect(byRole(p, 'nats')[0].command).toEqual(expect.arrayContaining(['-js']));
  });

  test('images: the services built from services/Dockerfile on the configured base image', () => {
    const p = plan(name);
    const base = (config.baseImage as string | undefined) ?? DEFAULTS.images.base;
    for (const c of p.containers.filter((x) => x.role !== 'redis' && x.role !== 'nats' && x.role !== 'maildev')) {
      expect(c.build?.dockerfile).toBe(join(SOLVED, 'services', 'Dockerfile'));
      expect(c.build?.context).toBe(SOLVED);
      expect(c.build?.args).toEqual({ SERVICE: c.role, BASE_IMAGE: base });
    }
    for (const c of byRole(p, 'redis')) expect(c.image).toBe(DEFAULTS.images.redis);
    for (const c of byRole(p, 'nats')) expect(c.image).toBe(DEFAULTS.images.nats);
    expect(byRole(p, 'maildev')[0].image).toBe(DEFAULTS.images.mailDev);
  });

  test('outputs: the URLs a learner opens', () => {
    const { outputs } = plan(name);
    expect(outputs.gatewayUrl).toBe('http://127.0.0.1:3000');
    expect(outputs.mailDevUrl).toBe('http://127.0.0.1:1080');
    expect(outputs.pushSinkUrl).toBe('http://127.0.0.1:8080');
    expect(Object.keys(outputs.containers as object)).toHaveLength(Object.values(expected).reduce((a, b) => a + b));
  });
});

afterAll(() => rm(SOLVED, { recursive: true, force: true }));

test('with no config, the program takes the defaults Pulumi.yaml declares (and config.ts repeats)', () => {
  const defaults = plan('redis, 1 replica each');
  expect(defaults.config).toEqual({
    'workshop:transport': DEFAULTS.transport,
    'workshop:idempotencyStore': String(DEFAULTS.idempotencyStore),
    'workshop:gatewayReplicas': String(DEFAULTS.replicas.gateway),
    'workshop:userReplicas': String(DEFAULTS.replicas.user),
    'workshop:mailReplicas': String(DEFAULTS.replicas.mail),
    'workshop:pushReplicas': String(DEFAULTS.replicas.push),
    'workshop:gatewayPort': String(DEFAULTS.ports.gateway),
    'workshop:mailDevPort': String(DEFAULTS.ports.mailDev),
    'workshop:pushSinkPort': String(DEFAULTS.ports.pushSink),
    'workshop:baseImage': DEFAULTS.images.base,
    'workshop:redisImage': DEFAULTS.images.redis,
    'workshop:natsImage': DEFAULTS.images.nats,
    'workshop:mailDevImage': DEFAULTS.images.mailDev,
    // Empty by default (a declared key needs a default, or the CLI refuses the stack): none.
    'workshop:npmRegistry': '',
    'workshop:namePrefix': '',
  });
  // An empty namePrefix: the program derives it from the stack.
  expect(defaults.containers.map((c) => c.name)).toContain('workshop-mail-1');
  expect(byRole(defaults, 'redis')).toHaveLength(1);
  expect(replicasOf(defaults, 'mail')).toHaveLength(1);
});

describe('planToTopology', () => {
  test('redis 2 + 2: the declared replicas, and each alias mapped to what it is', () => {
    const t = planToTopology(plan('redis, 2 mail + 2 push'));
    expect(t.transport).toBe('redis');
    expect(t.brokers).toEqual(['redis']);
    expect(SERVICE_NAMES.map((s) => t.replicas[s].length)).toEqual([1, 1, 2, 2]);
    expect(t.replicas.mail.map((r) => r.id)).toEqual(['mail-1', 'mail-2']);
    expect(t.replicas.mail[1].env).toMatchObject({
      REDIS_URL: 'redis://redis:6379',
      SMTP_URL: 'smtp://maildev:1025',
    });
    expect(t.aliases).toMatchObject({ redis: 'redis', maildev: 'maildev', 'push-sink': 'push-sink' });
    expect(t.aliases.nats).toBeUndefined();
    expect(t.waitForSubscriptions).toBe(true);
  });

  test('jetstream with the idempotency store: NATS is the transport, Redis runs beside it', () => {
    const t = planToTopology(plan('jetstream with the idempotency store'));
    expect(t.transport).toBe('nats');
    expect(t.brokers).toEqual(['nats', 'redis']);
    expect(t.waitForSubscriptions).toBe(false);
  });

  test('the declared envs, pointed at loopback by the local runtime', () => {
    const t = planToTopology(plan('nats, 2 mail + 2 push'));
    const endpoints: BackingEndpoints = {
      natsUrl: 'nats://127.0.0.1:41222',
      smtpUrl: 'smtp://127.0.0.1:41025',
      mailDevUrl: 'http://127.0.0.1:41080',
      pushSinkUrl: 'http://127.0.0.1:48080',
    };
    const mail = toLoopback(t.replicas.mail[0].env, t.aliases, endpoints, 43000);
    expect(mail).toMatchObject({ NATS_URL: 'nats://127.0.0.1:41222', SMTP_URL: 'smtp://127.0.0.1:41025' });
    const push = toLoopback(t.replicas.push[1].env, t.aliases, endpoints, 43000);
    expect(push.PUSH_SINK_URL).toBe('http://127.0.0.1:48080');
    const gateway = toLoopback(t.replicas.gateway[0].env, t.aliases, endpoints, 43000);
    expect(gateway).toMatchObject({ PORT: '43000', HOST: '127.0.0.1' });
  });

  test('the transport is the stack output infra/index.ts exports, and must be one the workshop knows', () => {
    const p = plan('redis, 1 replica each');
    expect(p.outputs.transport).toBe('redis');
    expect(() => planToTopology({ ...p, outputs: { ...p.outputs, transport: undefined } })).toThrow(
      /exports no stack output `transport`/,
    );
    // The stack says nats, but its services all talk to Redis (the start of step 3).
    expect(() => planToTopology({ ...p, outputs: { ...p.outputs, transport: 'nats' } })).toThrow(
      /transport is nats, but no service .* talks to a nats container: each should have NATS_URL=nats:\/\/nats:4222/,
    );
  });

  test('an incomplete plan is refused with what is missing', () => {
    const p = plan('redis, 1 replica each');
    const noMail: Plan = { ...p, containers: p.containers.filter((c) => c.role !== 'mail') };
    expect(() => planToTopology(noMail)).toThrow(/declares no container for mail/);
    const typo: Plan = {
      ...p,
      containers: p.containers.map((c) =>
        c.role === 'push' ? { ...c, env: { ...c.env, PUSH_SINK_URL: 'http://pushsink:8080' } } : c,
      ),
    };
    expect(() => planToTopology(typo)).toThrow(/PUSH_SINK_URL=http:\/\/pushsink:8080 names the host "pushsink"/);
  });
});

describe('a learner program elsewhere', () => {
  let tree: string;
  beforeAll(async () => {
    tree = await makeTree(REPO, `plan-unit-${process.pid}`, endOverlays(getStep(3)));
  });
  afterAll(() => rm(tree, { recursive: true, force: true }));

  test('is read from any path (a copy of the repository under .workshop/trees)', async () => {
    const p = await readPlan(join(tree, 'infra'), { stack: 'ci', config: ciConfig(REPO) });
    expect(p.infraDir).toBe(join(tree, 'infra'));
    expect(replicasOf(p, 'mail')).toHaveLength(2); // from .ci/container-check.config.yaml
    expect(p.containers.find((c) => c.build)?.build?.context).toBe(tree);
    expect(byRole(p, 'nats')[0].image).toBe('workshop-nats:local');
  });

  test('a program that throws gives one paragraph with the file and line', async () => {
    const file = join(tree, 'infra', 'components', 'nest-service.ts');
    const source = await readFile(file, 'utf8');
    await writeFile(file, source.replace('image: args.image,', 'image: undefined as unknown as string,'));
    const error = await readPlan(join(tree, 'infra')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /failed: it threw: Missing required property 'image' \(at components\/nest-service\.ts:\d+\)/,
    );
    expect(message).not.toContain('\n');
    await writeFile(file, source);
  });

  test('a program with a syntax error is reported, not crashed on', async () => {
    const file = join(tree, 'infra', 'index.ts');
    const source = await readFile(file, 'utf8');
    await writeFile(file, source.replace('const config = readConfig();', 'const config = readConfig(;'));
    await expect(readPlan(join(tree, 'infra'))).rejects.toThrow(/Reading the Pulumi program in .* failed: .*index\.ts/);
    await writeFile(file, source);
  });

  test('a bad config value is named', async () => {
    await expect(readPlan(join(tree, 'infra'), { config: { transport: 'kafka' } })).rejects.toThrow(
      /workshop:transport.*(redis|nats|jetstream)/,
    );
  });

  test('a folder with no Pulumi project says so', async () => {
    const empty = join(tree, 'not-infra');
    await mkdir(empty, { recursive: true });
    await expect(readPlan(empty)).rejects.toThrow(/no Pulumi project .*Pulumi\.yaml is missing/);
  });
});

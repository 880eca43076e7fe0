/**
 * What a declared backing container listens on (read as the server reads its
 * settings), and the plan's address problems: a URL whose host resolves but
 * whose port or scheme the container behind it does not serve, and a
 * container that joins no network the program declares.
 */
import { attachmentOf, servedBy, unresolvedHosts, whyUnreachable, wrongAddresses, type Plan } from '../src/plan';
import type { PlanContainer } from '../src/plan';

const container = (over: Partial<PlanContainer>): PlanContainer => ({
  resource: over.name ?? 'c',
  image: '',
  env: {},
  networks: [{ network: 'net', aliases: [] }],
  ports: [],
  labels: {},
  ...over,
});

const plan = (containers: PlanContainer[]): Plan => ({
  infraDir: '/infra',
  project: 'workshop',
  stack: 'test',
  config: {},
  networks: [{ resource: 'network', name: 'net' }],
  images: [],
  containers,
  others: [],
  outputs: {},
  millis: 0,
});

describe('servedBy', () => {
  test('a broker listens on its default port, or the one its command sets', () => {
    expect(servedBy(container({ role: 'redis' }))).toEqual({ 'redis:': 6379 });
    expect(servedBy(container({ role: 'redis', command: ['redis-server', '--port', '6380'] }))).toEqual({
      'redis:': 6380,
    });
    expect(servedBy(container({ role: 'nats', command: ['-js', '-p', '4333'] }))).toEqual({ 'nats:': 4333 });
    expect(servedBy(container({ role: 'nats', command: ['--port=4444'] }))).toEqual({ 'nats:': 4444 });
  });

  test('MailDev by its env, its flags winning; the push sink by its PORT; a service serves nothing known', () => {
    expect(servedBy(container({ role: 'maildev' }))).toEqual({ 'smtp:': 1025, 'http:': 1080 });
    expect(
      servedBy(container({ role: 'maildev', env: { MAILDEV_SMTP_PORT: '2525' }, command: ['--web', '8025'] })),
    ).toEqual({ 'smtp:': 2525, 'http:': 8025 });
    expect(servedBy(container({ role: 'push-sink', env: { PORT: '9090' } }))).toEqual({ 'http:': 9090 });
    expect(servedBy(container({ role: 'mail' }))).toBeUndefined();
  });
});

describe('wrongAddresses', () => {
  const maildev = container({
    name: 'maildev',
    role: 'maildev',
    networks: [{ network: 'net', aliases: ['maildev'] }],
    env: { MAILDEV_SMTP_PORT: '2525' },
  });
  const mail = (SMTP_URL: string) =>
    container({ name: 'mail-1', role: 'mail', replicaId: 'mail-1', env: { SMTP_URL } });

  test("the learner's port is right when the container listens on it", () => {
    expect(wrongAddresses(plan([maildev, mail('smtp://maildev:2525')]))).toEqual([]);
  });

  test('a port the container behind the alias does not listen on is named, with the one it does', () => {
    const [problem] = wrongAddresses(plan([maildev, mail('smtp://maildev:1025')]));
    expect(problem.message).toBe(
      `mail-1's SMTP_URL=smtp://maildev:1025 dials port 1025, but the maildev container ("maildev") listens for smtp on port 2525`,
    );
  });
});

describe('a container on no declared network', () => {
  const redis = (networks: PlanContainer['networks']) =>
    container({ name: 'workshop-redis', role: 'redis', image: 'redis:7', networks });
  const gateway = container({
    name: 'gateway-1',
    role: 'gateway',
    replicaId: 'gateway-1',
    env: { REDIS_URL: 'redis://redis:6379' },
  });

  test('is said to join none, or a network the program does not declare', () => {
    const p = plan([redis([]), gateway]);
    expect(attachmentOf(p, p.containers[0]).phrase).toBe('joins no network at all');
    const q = plan([redis([{ network: 'other', aliases: ['redis'] }]), gateway]);
    expect(attachmentOf(q, q.containers[0]).phrase).toBe(
      'joins no network the program declares (it names other; the program declares net)',
    );
  });

  test("is the reason given for a service's unresolved host, not the service's URL", () => {
    const p = plan([redis([]), gateway]);
    expect(whyUnreachable(p, gateway, 'redis')).toEqual(['the redis container workshop-redis joins no network at all']);
    expect(unresolvedHosts(p)[0].message).toMatch(/; the redis container workshop-redis joins no network at all$/);
  });
});

import { toLoopback } from '../src/runtime/fleet';
import type { BackingEndpoints } from '../src/runtime/backing';

const endpoints: BackingEndpoints = {
  redisUrl: 'redis://127.0.0.1:40001',
  natsUrl: 'nats://127.0.0.1:40002',
  natsMonitorUrl: 'http://127.0.0.1:40003',
  smtpUrl: 'smtp://127.0.0.1:40004',
  mailDevUrl: 'http://127.0.0.1:40005',
  pushSinkUrl: 'http://127.0.0.1:40006',
};
const aliases = { redis: 'redis', nats: 'nats', maildev: 'maildev', 'push-sink': 'push-sink' } as const;

describe('toLoopback: a declared env pointed at this machine', () => {
  test('URLs on known aliases get the loopback address and port of that service', () => {
    const env = toLoopback(
      {
        REDIS_URL: 'redis://redis:6379',
        NATS_URL: 'nats://nats:4222',
        SMTP_URL: 'smtp://maildev:1025',
        PUSH_SINK_URL: 'http://push-sink:8080',
        MAIL_FROM: 'welcome@workshop.local',
      },
      aliases,
      endpoints,
      45000,
    );
    expect(env).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:40001',
      NATS_URL: 'nats://127.0.0.1:40002',
      SMTP_URL: 'smtp://127.0.0.1:40004',
      PUSH_SINK_URL: 'http://127.0.0.1:40006',
      MAIL_FROM: 'welcome@workshop.local',
    });
  });

  test("a broker's token becomes the token of the broker this run started; without that broker it stays as declared", () => {
    const declared = { NATS_URL: 'nats://nats:4222', NATS_TOKEN: 'the-stack-secret' };
    expect(toLoopback(declared, aliases, { ...endpoints, natsToken: 'run-token' }, 45000)).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:40002',
      NATS_TOKEN: 'run-token',
    });
    expect(toLoopback({ NATS_TOKEN: 'the-stack-secret' }, aliases, endpoints, 45000).NATS_TOKEN).toBe(
      'the-stack-secret',
    );
    // No token declared: none given (the broker refuses the service, as in Docker).
    expect(
      toLoopback({ NATS_URL: 'nats://nats:4222' }, aliases, { ...endpoints, natsToken: 'run-token' }, 45000),
    ).not.toHaveProperty('NATS_TOKEN');
  });

  test('the gateway listens on its free loopback port', () => {
    expect(toLoopback({ PORT: '3000' }, aliases, endpoints, 45000)).toMatchObject({ PORT: '45000', HOST: '127.0.0.1' });
  });

  test('a URL on an alias of a service this run does not start is an error that names it', () => {
    const noRedis = { ...endpoints, redisUrl: undefined };
    expect(() => toLoopback({ REDIS_URL: 'redis://redis:6379' }, aliases, noRedis, 1)).toThrow(
      /REDIS_URL=redis:\/\/redis:6379 points at redis/,
    );
  });

  test('hosts that are not aliases are kept as declared', () => {
    expect(toLoopback({ X: 'http://example.internal:1/' }, aliases, endpoints, 1).X).toBe('http://example.internal:1/');
  });
});

describe('toLoopback: the declared address must be what its container serves', () => {
  const listens = {
    redis: { 'redis:': 6379 },
    maildev: { 'smtp:': 1025, 'http:': 1080 },
    'push-sink': { 'http:': 8080 },
  };

  test('the right scheme and port are pointed at loopback (a URL with no port dials its scheme default)', () => {
    const env = toLoopback(
      { REDIS_URL: 'redis://redis', SMTP_URL: 'smtp://maildev:1025' },
      aliases,
      endpoints,
      1,
      listens,
    );
    expect(env).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:40001', SMTP_URL: 'smtp://127.0.0.1:40004' });
  });

  test('a port the container does not listen on is refused, not rewritten', () => {
    expect(() => toLoopback({ SMTP_URL: 'smtp://maildev:2525' }, aliases, endpoints, 1, listens)).toThrow(
      /SMTP_URL=smtp:\/\/maildev:2525 dials port 2525, but the maildev container \("maildev"\) listens for smtp on port 1025/,
    );
    // No port: SMTP's default, 25, is not MailDev's.
    expect(() => toLoopback({ SMTP_URL: 'smtp://maildev' }, aliases, endpoints, 1, listens)).toThrow(
      /dials port 25 \(the default of smtp:\/\/\)/,
    );
  });

  test('a scheme the container does not serve is refused', () => {
    expect(() => toLoopback({ PUSH_SINK_URL: 'https://push-sink:8080' }, aliases, endpoints, 1, listens)).toThrow(
      /speaks https to the push-sink container \("push-sink"\), which serves http on port 8080/,
    );
  });
});

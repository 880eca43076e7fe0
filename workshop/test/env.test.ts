import { ConfigError, requirePort, requireUrl } from '../../services/shared/src/env';
import { natsConnection } from '../../services/shared/src/transports';

describe('start-up configuration', () => {
  test('a missing variable is a ConfigError that names it', () => {
    expect(() => requireUrl('NATS_URL', ['nats:'], {})).toThrow(new ConfigError('NATS_URL is not set'));
  });
  test('a URL of the wrong kind says what was expected', () => {
    expect(() => requireUrl('REDIS_URL', ['redis:'], { REDIS_URL: 'http://x:1' })).toThrow(
      'REDIS_URL must start with redis://, got "http://x:1"',
    );
    expect(() => requireUrl('REDIS_URL', ['redis:'], { REDIS_URL: 'nope' })).toThrow('REDIS_URL is not a URL: "nope"');
  });
  test('ports are whole numbers from 1 to 65535', () => {
    expect(requirePort('PORT', { PORT: '3000' })).toBe(3000);
    expect(() => requirePort('PORT', { PORT: '70000' })).toThrow(/PORT must be a port number/);
  });
});

describe("natsConnection: a NATS transport's servers and token, from the env", () => {
  test('the servers from NATS_URL (its port, else 4222) and the token from NATS_TOKEN', () => {
    expect(natsConnection({ NATS_URL: 'nats://nats:4222', NATS_TOKEN: 's3cret' })).toEqual({
      servers: ['nats://nats:4222'],
      token: 's3cret',
    });
    expect(natsConnection({ NATS_URL: 'nats://nats' })).toEqual({ servers: ['nats://nats:4222'] });
  });

  test('an empty NATS_TOKEN is no token; credentials in the URL are refused (the client would ignore them)', () => {
    expect(natsConnection({ NATS_URL: 'nats://nats:4222', NATS_TOKEN: '  ' })).not.toHaveProperty('token');
    expect(() => natsConnection({ NATS_URL: 'nats://tok@nats:4222' })).toThrow(/put the token in NATS_TOKEN/);
    expect(() => natsConnection({})).toThrow(new ConfigError('NATS_URL is not set'));
  });
});

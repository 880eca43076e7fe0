import { ConfigError, requirePort, requireUrl } from '../../services/shared/src/env';

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

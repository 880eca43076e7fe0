/**
 * The Redis Streams transport's idempotency store, and the guards' Redis
 * connection, keep their promises against a real redis-server:
 * a lost lease is noticed, "done" survives a failed write, errors are one line.
 */
import { freePort } from '../../src/runtime/ports';
import { startRedis, type Broker } from './brokers';
import { Driver } from './driver';

let redis: Broker;
let driver: Driver;

beforeAll(async () => {
  [redis, driver] = await Promise.all([startRedis('transport-idempotency'), Driver.start('idempotency')]);
});

afterAll(async () => {
  await driver?.stop();
  await redis?.stop();
});

test('17: Redis stalls past the lease: the holder notices, aborts before its send, one send in all', async () => {
  const result = await driver.run<{ sends: string[]; second: boolean; first: string; log: string[] }>('leaseLost', {
    url: redis.url,
  });
  expect(result.sends).toEqual(['replica-2']);
  expect(result.first).toMatch(/lease lost/);
  expect(result.log.join('\n')).toMatch(/lease lost/);
});

test('18: "done" that fails to record after the side effect is retried, and the event is not failed', async () => {
  const result = await driver.run<{ result: string; done: string | null; log: string[] }>('completeRetried', {
    url: redis.url,
  });
  expect(result).toEqual({
    result: 'ran: true',
    done: 'done:replica-1',
    log: [expect.stringMatching(/recorded on try/)],
  });
});

test('19: an unreachable Redis gives one log line, not a stack trace per reconnect', async () => {
  const deadUrl = `redis://127.0.0.1:${await freePort()}`;
  expect(await driver.run('unreachableRedisQuiet', { url: redis.url, deadUrl })).toEqual({ unhandled: 0, lines: 1 });
});

/**
 * The Redis Streams transport keeps its promises, against a real redis-server:
 * each test is one finding of issue 12 (no silent loss, no duplicate, no hang),
 * run through the transport classes themselves (see driver.ts).
 */
import { parseChaos } from '../../../services/shared/src/chaos-hooks';
import { startRedis, type Broker } from './brokers';
import { Driver } from './driver';

let redis: Broker;
let driver: Driver;

beforeAll(async () => {
  [redis, driver] = await Promise.all([startRedis('transport-redis-streams'), Driver.start('redis-streams')]);
});

afterAll(async () => {
  await driver?.stop();
  await redis?.stop();
});

const run = <T>(scenario: string) => driver.run<T>(scenario, { url: redis.url });

test('1: a group that is down during a burst gets every event; the cleanup trims only what every group acked', async () => {
  const result = await run<{ trimmedWhileDown: number; lengthWhileDown: number; lateHandled: number }>(
    'downGroupGetsEverything',
  );
  expect(result).toEqual({ trimmedWhileDown: 0, lengthWhileDown: 1000, lateHandled: 1000 });
});

test('2: an entry deleted while pending is dead-lettered and logged', async () => {
  const result = await run<{ id: string; dead: [string, string[]][]; logs: string[] }>('deletedWhilePending');
  const fields = result.dead[0][1];
  expect(fields[fields.indexOf('id') + 1]).toBe(result.id);
  expect(result.logs.join('\n')).toContain(`${result.id} was deleted`);
});

test('3: events published before the group existed reach it', async () => {
  expect(await run('beforeGroupExists')).toEqual({ runs: 3 });
});

test('4: a live handler slower than the claim idle time runs once', async () => {
  expect(await run('slowHandlerRunsOnce')).toEqual({ runs: 1 });
});

test('5: a failing entry runs maxDeliveries times, then is dead-lettered and acked', async () => {
  const result = await run<{ runs: number; dead: unknown[] }>('poisonDeadLettered');
  expect({ runs: result.runs, dead: result.dead.length }).toEqual({ runs: 3, dead: 1 });
});

test('6: close() waits for a running handler: acked, and its "done" recorded', async () => {
  const result = await run<{ finished: number; pending: number; done: string | null }>('closeDrains');
  expect(result).toEqual({ finished: 1, pending: 0, done: expect.stringMatching(/^done:/) });
});

test('7: a consumer idle for long with nothing pending is deleted at start', async () => {
  const { consumers } = await run<{ consumers: string[] }>('forgetsIdleConsumers');
  expect(consumers).not.toContain('gone-replica');
});

test('20: the fault hooks are parsed once, with a clear error, and injected as an option', async () => {
  expect(() => parseChaos({ CHAOS_HANDLER_DELAY_MS: 'abc' })).toThrow('CHAOS_HANDLER_DELAY_MS must be a whole number');
  expect(await run('injectedChaos')).toEqual({ calls: ['beforeHandler', 'beforeAck'] });
});

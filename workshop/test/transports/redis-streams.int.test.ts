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

test('6: close() waits for a running handler, which acks', async () => {
  expect(await run('closeDrains')).toEqual({ finished: 1, pending: 0 });
});

test('7: a consumer idle for long with nothing pending is deleted at start', async () => {
  const { consumers } = await run<{ consumers: string[] }>('forgetsIdleConsumers');
  expect(consumers).not.toContain('gone-replica');
});

test('12: a handler stuck past its deadline is let go, and another consumer runs the entry', async () => {
  const result = await run<{ runs: number; logs: string[] }>('stuckHandlerLetGo');
  expect({ runs: result.runs, letGo: result.logs.length }).toEqual({ runs: 2, letGo: 1 });
});

test("21 (step 6): a dead consumer's read, unacked entries are claimed by a live one, run, and the group drains", async () => {
  const result = await run<{ heldByDead: number; runs: number; logs: string[] }>('deadConsumersEntriesClaimed');
  expect({ heldByDead: result.heldByDead, runs: result.runs, claimed: result.logs.length }).toEqual({
    heldByDead: 3,
    runs: 5,
    claimed: 1,
  });
});

test('22 (step 6): an entry whose work failed is not acked, and a claim runs it again', async () => {
  expect(await run('failedWorkStaysPending')).toEqual({ pendingAfterFailure: 1, runs: 2 });
});

test('20: the fault hooks are parsed once, with a clear error, and injected as an option', async () => {
  expect(() => parseChaos({ CHAOS_HANDLER_DELAY_MS: 'abc' })).toThrow('CHAOS_HANDLER_DELAY_MS must be a whole number');
  expect(await run('injectedChaos')).toEqual({ calls: ['beforeHandler', 'beforeAck'] });
});

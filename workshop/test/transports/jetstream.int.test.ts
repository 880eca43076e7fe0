/**
 * The JetStream transport keeps its promises, against a real nats-server
 * (JetStream on): each test is one finding of issue 12, run through the
 * transport classes themselves (see driver.ts).
 */
import { startNats, type Broker } from './brokers';
import { Driver } from './driver';

let nats: Broker;
let driver: Driver;

beforeAll(async () => {
  [nats, driver] = await Promise.all([startNats('transport-jetstream'), Driver.start('jetstream')]);
});

afterAll(async () => {
  await driver?.stop();
  await nats?.stop();
});

const run = <T>(scenario: string) => driver.run<T>(scenario, { url: nats.url, monitorUrl: nats.monitorUrl });

test('8: a durable left with another config is updated explicitly, and the drift logged', async () => {
  const result = await run<{ ackWaitMs: number; maxDeliver: number; drift: string[] }>('durableDrift');
  expect({ ackWaitMs: result.ackWaitMs, maxDeliver: result.maxDeliver }).toEqual({ ackWaitMs: 600, maxDeliver: 3 });
  expect(result.drift.join('\n')).toMatch(/ack_wait 5000 ms -> 600 ms, max_deliver 5 -> 3/);
});

test('9: working() follows the durable`s real ack wait: a handler slower than it runs once', async () => {
  expect(await run('realAckWait')).toEqual({ runs: 1 });
});

test('10: a deleted durable is recreated, and events flow again', async () => {
  expect(await run('durableRecreated')).toEqual({ runs: 1 });
});

test('11: a poison event is retried with growing delays, then terminated and dead-lettered', async () => {
  const result = await run<{ runs: number; gaps: number[]; deadLetters: { seq: string }[]; maxAckPending: number }>(
    'poisonTerminated',
  );
  expect(result.runs).toBe(3);
  expect(result.gaps[1]).toBeGreaterThan(result.gaps[0]); // 100 ms, then 200 ms
  expect(result.deadLetters).toEqual([{ seq: '1', reason: expect.stringContaining('poison') }]);
  expect(result.maxAckPending).toBe(1000);
});

test('12: a handler stuck past its deadline is given up on, and the event redelivered', async () => {
  const result = await run<{ runs: number; logs: string[] }>('handlerDeadline');
  expect(result.runs).toBe(2);
  expect(result.logs.length).toBeGreaterThan(0);
});

test('13: every publish carries a Nats-Msg-Id, a different one per event', async () => {
  const { ids } = await run<{ ids: (string | undefined)[] }>('msgIdAlways');
  expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
  expect(new Set(ids).size).toBe(2);
});

test('14: a failed stream check leaves no connection behind', async () => {
  expect(await run('failedConnectCloses')).toEqual({ errors: 3, leaked: 0 });
});

test('15: an existing work-queue stream is warned about', async () => {
  const { warnings } = await run<{ warnings: string[] }>('retentionWarned');
  expect(warnings.length).toBe(1);
});

test('16: the connection closing under a running handler is logged once, and nothing throws', async () => {
  expect(await run('closedConnection')).toEqual({ uncaught: [], closedLog: 1 });
});

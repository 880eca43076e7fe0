/**
 * Step 5's reference guard (solutions/05-idempotency) keeps its promises
 * against a real redis-server: once per service, a held claim thrown back,
 * a failed send's claim given back, a dead replica's claim running out.
 * It is loaded from a tree where the solution sits beside the given
 * guard.ts, as in the learner's repository.
 */
import { join } from 'node:path';
import { makeTree } from '../../src/steps/tree';
import { startRedis, type Broker } from './brokers';
import { Driver } from './driver';

const REPO = join(__dirname, '..', '..', '..');
let redis: Broker;
let driver: Driver;
let guardFile: string;
let n = 0;

beforeAll(async () => {
  const tree = await makeTree(REPO, 'test-handle-once', [join(REPO, 'solutions', '05-idempotency')]);
  guardFile = join(tree, 'services', 'shared', 'src', 'idempotency', 'handle-once.ts');
  [redis, driver] = await Promise.all([startRedis('transport-handle-once'), Driver.start('handle-once')]);
});

afterAll(async () => {
  await driver?.stop();
  await redis?.stop();
});

const run = (scenario: string) => driver.run<string[]>(scenario, { url: redis.url, guardFile, eventId: `e${++n}` });

test('once per service: a redelivery is skipped, and push handles what mail handled', async () => {
  expect(await run('oncePerService')).toEqual(['ran', 'skipped', 'ran', 'skipped']);
});

test('a claim held by a replica at work is thrown back (retry within the lease), then skipped once done', async () => {
  expect(await run('heldIsThrownBack')).toEqual(['ran', 'held, retry in <= lease', 'skipped']);
});

test('a failed send gives its claim back: the next delivery runs at once', async () => {
  expect(await run('failureReleases')).toEqual(['threw', 'ran']);
});

test("a dead replica's claim runs out after the lease: the event is sent, not lost", async () => {
  expect(await run('crashedClaimRunsOut')).toEqual(['held, retry in <= lease', 'ran']);
});

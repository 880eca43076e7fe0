/**
 * Fuzzing the push sink's POST /notifications with generated bad bodies
 * (fast-check, seeded): each gets a 4xx with a readable error, nothing
 * invalid is recorded, the server keeps its connections bounded, and a valid
 * notification is still recorded afterwards.
 */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { NotificationStore } from '../../services/push-sink/src/notification-store';
import { createPushSink } from '../../services/push-sink/src/server';
import { badRequests, readableMessage, send } from './fuzz/bodies';

const RUNS = 1_000;
const SEED = 1313;
const VALID = { eventId: 'e1', userId: 'u1', replicaId: 'push-1', title: 'Welcome!', body: 'Hello Ada' };

const store = new NotificationStore();
const server = createPushSink(store);
let url: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notifications`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const connections = () =>
  new Promise<number>((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

test(`${RUNS} generated bad bodies: each a 4xx with a readable error, none recorded; a valid one still is`, async () => {
  const kinds = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(badRequests(VALID, 'body'), async (request) => {
      kinds.set(request.kind, (kinds.get(request.kind) ?? 0) + 1);
      const { status, json } = await send(url, request);
      const message = readableMessage((json as { error?: unknown } | undefined)?.error);
      if (status < 400 || status > 499 || !message) {
        throw new Error(`${request.kind}: answered ${status} ${JSON.stringify(json)?.slice(0, 300)}`);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
  expect(store.list()).toEqual([]);
  // fetch keeps a bounded pool of keep-alive connections: no socket per request left open.
  expect(await connections()).toBeLessThanOrEqual(10);

  const ok = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(VALID),
  });
  expect(ok.status).toBe(201);
  expect(store.list()).toHaveLength(1);
  console.log(`push sink fuzz: ${RUNS} bodies, by kind: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);
}, 30_000); // a few seconds alone; the bound is for a busy machine

import type { Delivery } from '../src/grading/sinks';
import { describeReplicas, tally } from '../src/grading/sinks';
import { settle } from '../src/grading/traffic';

const d = (userId: string, replicaId: string): Delivery => ({ eventId: `e-${userId}`, userId, replicaId, to: userId });

test('tally counts per user and per replica', () => {
  const t = tally([d('u1', 'mail-1'), d('u1', 'mail-2'), d('u2', 'mail-1')]);
  expect(t.total).toBe(3);
  expect(t.perUser.get('u1')).toBe(2);
  expect(describeReplicas(t.perReplica)).toBe('mail-1: 2, mail-2: 1');
  expect(describeReplicas(new Map())).toBe('no replica handled any');
});

test('settle waits for late deliveries before it reports', async () => {
  const seen: Delivery[] = [d('u1', 'mail-1')];
  setTimeout(() => seen.push(d('u1', 'mail-2')), 150); // a late duplicate
  const t = await settle(async () => [...seen], 1, { quietMs: 400 });
  expect(t.total).toBe(2);
});

test('settle gives up when nothing new arrives, short of the target', async () => {
  const started = Date.now();
  const t = await settle(async () => [d('u1', 'mail-1')], 5, { stallMs: 300, timeoutMs: 5_000 });
  expect(t.total).toBe(1);
  expect(Date.now() - started).toBeLessThan(2_000);
});

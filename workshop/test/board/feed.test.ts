import { DeliveryFeed, type BoardMessage } from '../../src/board/feed';
import type { Delivery } from '../../src/grading/sinks';

/** Sinks as plain lists the test fills and empties, as MailDev and the push sink would. */
function sinks() {
  const mail: Delivery[] = [];
  const push: Delivery[] = [];
  const feed = new DeliveryFeed({
    mail: () => Promise.resolve([...mail]),
    push: () => Promise.resolve([...push]),
    replicas: () => [{ id: 'mail-1', service: 'mail', running: true }],
    controls: true,
  });
  const seen: BoardMessage[] = [];
  feed.subscribe((m) => seen.push(m));
  return { mail, push, feed, seen };
}

const email = (id: string, userId: string, replicaId: string, at: string): Delivery => ({
  id,
  eventId: `e-${userId}`,
  userId,
  replicaId,
  to: `${userId}@example.com`,
  at,
});

test('a new subscriber gets the snapshot first', () => {
  const { seen } = sinks();
  expect(seen[0]).toMatchObject({ type: 'snapshot', deliveries: [], users: [], controls: true });
});

test('each delivery is announced once, oldest first, even if the sink lists newest first (MailDev)', async () => {
  const { mail, feed, seen } = sinks();
  mail.push(
    email('b', 'u2', 'mail-2', '2026-11-26T12:00:01.200Z'),
    email('a', 'u1', 'mail-1', '2026-11-26T12:00:01.100Z'),
  );
  await feed.poll();
  await feed.poll();
  const deliveries = seen.filter((m) => m.type === 'delivery');
  expect(deliveries.map((m) => m.type === 'delivery' && m.delivery.replica)).toEqual(['mail-1', 'mail-2']);
  expect(feed.snapshot()).toMatchObject({ deliveries: [{ userId: 'u1' }, { userId: 'u2' }] });
});

test('pushes (no id of their own) are told apart by event, replica and time', async () => {
  const { push, feed, seen } = sinks();
  const one: Delivery = { eventId: 'e1', userId: 'u1', replicaId: 'push-1', to: 'u1', at: '2026-11-26T12:00:01.000Z' };
  push.push(one, { ...one, replicaId: 'push-2' }); // the same event twice: a duplicate, two deliveries
  await feed.poll();
  expect(seen.filter((m) => m.type === 'delivery')).toHaveLength(2);
  // Emptied and refilled between two reads: the new pushes are new, though as many.
  push.splice(0, 2, { ...one, eventId: 'e2', at: '2026-11-26T12:00:02.000Z' }, { ...one, eventId: 'e3' });
  await feed.poll();
  expect(seen.map((m) => m.type)).toEqual(['snapshot', 'delivery', 'delivery', 'cleared', 'delivery', 'delivery']);
});

test('an emptied sink is announced, and what arrives next counts from zero', async () => {
  const { mail, feed, seen } = sinks();
  mail.push(email('a', 'u1', 'mail-1', '2026-11-26T12:00:01.100Z'));
  await feed.poll();
  mail.splice(0);
  mail.push(email('c', 'u3', 'mail-1', '2026-11-26T12:00:02.000Z'));
  await feed.poll();
  expect(seen.map((m) => m.type)).toEqual(['snapshot', 'delivery', 'cleared', 'delivery']);
  expect(feed.snapshot()).toMatchObject({ deliveries: [{ userId: 'u3' }] });
});

test('users created through the board are announced and kept for new subscribers', () => {
  const { feed, seen } = sinks();
  feed.addUsers([{ id: 'u1', email: 'ada@example.com', at: 1 }]);
  expect(seen[1]).toEqual({ type: 'users', users: [{ id: 'u1', email: 'ada@example.com', at: 1 }] });
  expect(feed.snapshot()).toMatchObject({ users: [{ id: 'u1' }] });
});

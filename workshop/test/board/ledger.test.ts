import type { User } from '../../../services/shared/src/events';
import { clockTime, ledger } from '../../src/grading/ledger';
import type { LifecycleEvent } from '../../src/runtime/lifecycle';
import type { Delivery } from '../../src/grading/sinks';

/** 12:00:01.mmm today, in this machine's time zone, as the ledger prints it. */
const at = (ms: number) => new Date(2026, 10, 26, 12, 0, 1, ms).getTime();
const user = (id: string, n: number): User => ({ id, email: `burst-${n}@example.com`, name: `burst ${n}` });
const email = (userId: string, replicaId: string, ms: number): Delivery => ({
  eventId: `e-${userId}`,
  userId,
  replicaId,
  to: `${userId}@example.com`,
  at: new Date(at(ms)).toISOString(),
});

const twice = user('7f3a0c11-aaaa', 1);
const lost = user('9b2c77d0-bbbb', 2);
const fine = user('11111111-cccc', 3);
const killed: LifecycleEvent[] = [
  { replica: 'mail-1', what: 'started', at: at(0) },
  { replica: 'push-1', what: 'killed', at: at(10) },
  { replica: 'mail-1', what: 'killed', at: at(50) },
];

test('clock times are to the millisecond', () => {
  expect(clockTime(at(7))).toBe('12:00:01.007');
});

test('a user with two emails: each with its replica and time, in order; a user with none: the kills of that service', () => {
  const deliveries = [email(twice.id, 'mail-2', 124), email(twice.id, 'mail-1', 120), email(fine.id, 'mail-2', 130)];
  expect(ledger(deliveries, [twice, lost, fine], 'emails', killed)).toEqual([
    'user 9b2c… (burst-2@example.com): no email; mail-1 was killed at 12:00:01.050',
    'user 7f3a… (burst-1@example.com): mail-1 12:00:01.120, mail-2 12:00:01.124 — twice',
  ]);
});

test('pushes name push replicas, and a replica that exited on its own says so', () => {
  const exited: LifecycleEvent[] = [{ replica: 'push-2', what: 'exited', at: at(80) }, ...killed];
  expect(ledger([], [lost], 'pushes', exited)).toEqual([
    'user 9b2c… (burst-2@example.com): no push; push-2 was down (it exited) at 12:00:01.080, push-1 was killed at 12:00:01.010',
  ]);
});

test('nothing to tell when every user got exactly one', () => {
  expect(ledger([email(fine.id, 'mail-1', 1)], [fine], 'emails', killed)).toEqual([]);
});

test('at most 5 users, then how many more', () => {
  const users = Array.from({ length: 8 }, (_, i) => user(`${i}0000000-dddd`, i));
  const lines = ledger([], users, 'emails', []);
  expect(lines).toHaveLength(6);
  expect(lines[0]).toBe('user 0000… (burst-0@example.com): no email');
  expect(lines[5]).toBe('and 3 more');
});

test('three deliveries of one event say so', () => {
  const three = [email(twice.id, 'mail-1', 1), email(twice.id, 'mail-2', 2), email(twice.id, 'mail-1', 900)];
  expect(ledger(three, [twice], 'emails', [])).toEqual([
    'user 7f3a… (burst-1@example.com): mail-1 12:00:01.001, mail-2 12:00:01.002, mail-1 12:00:01.900 — three times',
  ]);
});

/** The bench's arithmetic: what counts as a duplicate, a loss, and the chaos schedule. */
import { schedule } from '../bench/chaos-run';
import { count, percentile } from '../bench/count';
import type { Delivery } from '../src/grading/sinks';

const email = (to: string, replicaId = 'mail-1'): Delivery => ({ eventId: `e-${to}`, userId: to, replicaId, to });

describe('count', () => {
  it('counts the extra deliveries of a user as duplicates, and accepted users with none as lost', () => {
    const deliveries = [email('a'), email('a', 'mail-2'), email('b'), email('x')];
    expect(count(deliveries, new Set(['a', 'b', 'c']), (d) => d.to)).toEqual({
      delivered: 4,
      served: 2,
      duplicated: 1,
      lost: 1,
      unaccounted: 1, // x was never accepted (its request failed after the user was created)
    });
  });

  it('with only a number of accepted users, every delivery counts', () => {
    expect(count([email('a'), email('b')], 3, (d) => d.to)).toMatchObject({ served: 2, lost: 1, duplicated: 0 });
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('the chaos schedule', () => {
  const replicas = ['mail-1', 'mail-2', 'push-1', 'push-2'];

  it('is the same for the same seed, and another for another seed', () => {
    expect(schedule(13, replicas)).toEqual(schedule(13, replicas));
    expect(schedule(14, replicas)).not.toEqual(schedule(13, replicas));
  });

  it('holds ten kills of known replicas and one broker restart, in time order', () => {
    const events = schedule(13, replicas);
    const kills = events.flatMap((e) => (e.kind === 'kill' ? [e] : []));
    expect(kills).toHaveLength(10);
    expect(kills.every((k) => replicas.includes(k.replica))).toBe(true);
    expect(events.filter((e) => e.kind === 'broker')).toHaveLength(1);
    expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
  });
});

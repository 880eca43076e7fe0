/** The bench's arithmetic: what counts as a duplicate, a loss, and the chaos schedule. */
import { schedule } from '../bench/chaos-run';
import { count, percentile } from '../bench/count';
import { parseProcStat, readCpu } from '../bench/cpu';
import { breakDown } from '../bench/delivery';
import type { PacedUser } from '../bench/load';
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

describe('reading a process CPU time from /proc/<pid>/stat', () => {
  // A real line, of a process whose name holds a space and a parenthesis: the fields count from the last ")".
  const line =
    '4242 (node (mail) 2) S 4200 4242 4200 0 -1 4194560 9011 0 12 0 1234 567 0 0 20 0 11 0 1939102 1210064896 30000 18446744073709551615 1 1 0 0 0 0 0 16781312 17003 0 0 0 17 1 0 0 0 0 0';

  it('takes utime and stime (fields 14 and 15) in clock ticks, as milliseconds', () => {
    expect(parseProcStat(line, 100)).toEqual({ userMs: 12_340, systemMs: 5_670 });
    expect(parseProcStat(line, 1000)).toEqual({ userMs: 1_234, systemMs: 567 });
  });

  it('refuses a line that is not one', () => {
    expect(() => parseProcStat('no parenthesis here', 100)).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S 2', 100)).toThrow(/no utime\/stime/);
  });

  it('reads this very process, and grows as it works', async () => {
    if (process.platform !== 'linux') return;
    const total = async () => {
      const t = await readCpu(process.pid);
      return t!.userMs + t!.systemMs;
    };
    const before = await total();
    let after = before;
    // Busy on purpose, 20 ms at a time, until a clock tick (10 ms) is counted; bounded at 5 s of wall time.
    for (const until = Date.now() + 5_000; after === before && Date.now() < until; after = await total()) {
      for (const stop = Date.now() + 20; Date.now() < stop;);
    }
    expect(after).toBeGreaterThan(before);
  });
});

describe("where a paced user's time goes", () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const user = (postedAt: number, answeredAt: number): PacedUser => ({ id: 'u', postedAt, answeredAt });

  it('splits POST -> 201, POST -> send and send -> stored, each email on its own (by MailDev id)', () => {
    const accepted = new Map([
      ['a@x', user(1_000, 1_004)],
      ['b@x', user(2_000, 2_010)],
    ]);
    const emails: Delivery[] = [
      { eventId: 'e1', userId: 'a', replicaId: 'mail-1', to: 'a@x', at: at(1_006), id: 'm1' },
      { eventId: 'e1', userId: 'a', replicaId: 'mail-2', to: 'a@x', at: at(1_020), id: 'm2' }, // a duplicate
      { eventId: 'e2', userId: 'b', replicaId: 'mail-1', to: 'b@x', at: at(2_002), id: 'm3' },
      { eventId: 'e9', userId: 'z', replicaId: 'mail-1', to: 'z@x', at: at(2_002), id: 'm4' }, // not this phase's
    ];
    const arrived = [
      { id: 'm1', to: 'a@x', at: 1_009 },
      { id: 'm2', to: 'a@x', at: 1_050 },
      { id: 'm3', to: 'b@x', at: 2_005 },
      { id: 'm4', to: 'z@x', at: 2_006 },
    ];
    const parts = breakDown(accepted, arrived, emails);
    expect(parts.map((p) => p.p50Ms)).toEqual([4, 6, 3]);
    expect(parts.map((p) => p.p99Ms)).toEqual([10, 20, 30]);
  });
});

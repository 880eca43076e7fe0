/**
 * The chaos scenarios' moves, shared by the graders of steps 4 to 6 and the
 * project's own tests: a burst of users, a replica killed or crashing in the
 * middle of it, and what each user got in the end.
 */
import type { User } from '../../../services/shared/src/events';
import { startBurst, type Burst } from './chaos';
import type { Fleet } from '../runtime/fleet';
import { lifecycleSince } from '../runtime/lifecycle';
import { waitFor } from '../runtime/wait';
import { ledger } from './ledger';
import { tally, type Delivery, type Tally } from './sinks';
import { progress, tick } from '../cli/progress';

export type Read = () => Promise<Delivery[]>;

/** Users per second: 200 users take 2.5 s, so a kill lands mid-burst even on a busy machine. */
export const BURST_RATE = 80;

export function withoutDelivery(users: User[], t: Tally): User[] {
  return users.filter((u) => !t.perUser.get(u.id));
}

export function deliveredTwice(users: User[], t: Tally): User[] {
  return users.filter((u) => (t.perUser.get(u.id) ?? 0) > 1);
}

/** Exactly one delivery for each user, and none for anyone else. */
export function exactlyOnce(t: Tally, users: User[]): boolean {
  return t.total === users.length && t.perUser.size === users.length && deliveredTwice(users, t).length === 0;
}

/** "200 emails for 200 users: 0 missing, 0 more than once". */
export function onceEach(t: Tally, users: User[], what: string): string {
  return `${t.total} ${what} for ${users.length} users: ${withoutDelivery(users, t).length} missing, ${deliveredTwice(users, t).length} more than once`;
}

/** How far back a replica's death is told beside a missing delivery: the check's own run. */
const STORY_WINDOW_MS = 60_000;

/**
 * For a failure message: "" when every user got exactly one; else, on lines
 * of their own, indented, the story of up to 5 affected users (ledger.ts).
 */
export function story(t: Tally, users: User[], what: string): string {
  const times = t.deliveries.map((d) => (d.at ? Date.parse(d.at) : Date.now()));
  const since = Math.min(Date.now(), ...times) - STORY_WINDOW_MS;
  const lines = ledger(t.deliveries, users, what, lifecycleSince(since));
  return lines.map((line) => `\n  ${line}`).join('');
}

/** Starts a burst of `count` users and SIGKILLs `victim` once it has delivered `after` times, mid-burst. */
export async function killMidBurst(
  fleet: Fleet,
  read: Read,
  victim: string,
  { count = 200, after = 5 } = {},
): Promise<{ burst: Burst; createdAtKill: number }> {
  const burst = startBurst(fleet.gatewayUrl, count, { perSecond: BURST_RATE });
  await waitFor(async () => (tally(await read()).perReplica.get(victim) ?? 0) >= after, {
    what: `${victim} to deliver ${after} times`,
    timeoutMs: 15_000,
  });
  const createdAtKill = burst.created();
  await fleet.killReplica(victim);
  progress(`${victim} killed (SIGKILL) after ${createdAtKill} users were created`);
  return { burst, createdAtKill };
}

/**
 * Waits until every user has a delivery and the count has been still for
 * `quietMs`; or, while some have none, until nothing new has come for
 * `stallMs` (longer than a redelivery takes): then the caller reports who.
 */
export async function everyUserServed(
  read: Read,
  users: User[],
  { quietMs = 800, stallMs = 6_000, timeoutMs = 30_000 } = {},
): Promise<Tally> {
  const deadline = Date.now() + timeoutMs;
  let last = tally(await read());
  let changedAt = Date.now();
  while (Date.now() < deadline) {
    const still = Date.now() - changedAt;
    if (still >= (withoutDelivery(users, last).length === 0 ? quietMs : stallMs)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = tally(await read());
    tick(
      'deliveries',
      () => `waiting for deliveries: ${users.length - withoutDelivery(users, now).length}/${users.length} users served`,
    );
    if (now.total !== last.total) changedAt = Date.now();
    last = now;
  }
  return last;
}

export const isRunning = (fleet: Fleet, id: string) => fleet.list().find((r) => r.id === id)?.process?.running ?? false;

/** Starts again each of `ids` that is down (crashed by a chaos hook). */
export async function restartCrashed(fleet: Fleet, ids: string[]): Promise<string[]> {
  const down = ids.filter((id) => !isRunning(fleet, id));
  await Promise.all(down.map((id) => fleet.startReplica(id, { waitForBroker: false })));
  return down;
}

/**
 * The story of a few events, for a failed live check: for up to 5 users who
 * got no delivery or more than one, each delivery with its replica and time,
 * and the replicas of that service killed around then.
 *
 *   user 7f3a… (burst-17@example.com): mail-1 12:00:01.120, mail-2 12:00:01.124 — twice
 *   user 9b2c… (burst-42@example.com): no email; mail-1 was killed at 12:00:01.050
 *
 * Totals say that something went wrong; one event's story says what.
 */
import type { User } from '../../../services/shared/src/events';
import type { LifecycleEvent } from '../runtime/lifecycle';
import type { Delivery } from './sinks';

export const LEDGER_USERS = 5;

/** 12:00:01.120, in this machine's time zone (as the replicas' logs). */
export function clockTime(at: number): string {
  const d = new Date(at);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const TIMES: Record<number, string> = { 2: 'twice', 3: 'three times' };

/** "emails" -> "email", "pushes" -> "push". */
const singular = (what: string) => what.replace(/es$|s$/, '');

/**
 * One line per affected user (those with none first), at most `limit`, and a
 * last line saying how many more. `what` is "emails" or "pushes"; the killed
 * replicas counted are those whose id starts like the deliveries' ("mail-").
 */
export function ledger(
  deliveries: Delivery[],
  users: User[],
  what: string,
  lifecycle: LifecycleEvent[],
  limit = LEDGER_USERS,
): string[] {
  const byUser = new Map<string, Delivery[]>();
  for (const d of deliveries) byUser.set(d.userId, [...(byUser.get(d.userId) ?? []), d]);
  const none = users.filter((u) => !byUser.has(u.id));
  const many = users.filter((u) => (byUser.get(u.id)?.length ?? 0) > 1);
  const affected = [...none, ...many];
  if (affected.length === 0) return [];

  const service = what === 'emails' ? 'mail-' : what === 'pushes' ? 'push-' : '';
  const deaths = lifecycle
    .filter((e) => e.what !== 'started' && (!service || e.replica.startsWith(service)))
    .map((e) => `${e.replica} was ${e.what === 'killed' ? 'killed' : 'down (it exited)'} at ${clockTime(e.at)}`);

  const lines = affected.slice(0, limit).map((user) => {
    const who = `user ${user.id.slice(0, 4)}… (${user.email})`;
    const got = (byUser.get(user.id) ?? []).sort((a, b) => at(a) - at(b));
    if (got.length === 0) {
      return `${who}: no ${singular(what)}${deaths.length > 0 ? `; ${deaths.join(', ')}` : ''}`;
    }
    const each = got.map((d) => `${d.replicaId} ${d.at ? clockTime(at(d)) : '(time unknown)'}`).join(', ');
    return `${who}: ${each} — ${TIMES[got.length] ?? `${got.length} times`}`;
  });
  if (affected.length > limit) lines.push(`and ${affected.length - limit} more`);
  return lines;
}

const at = (d: Delivery) => (d.at ? Date.parse(d.at) : 0);

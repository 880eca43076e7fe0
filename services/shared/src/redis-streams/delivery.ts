/**
 * The delivery steps the server takes around the service's claim and ack
 * (options.delivery), one small function per promise:
 *
 * - keepInFlight: while a handler runs, its entries' idle time is reset
 *   (XCLAIM ... JUSTID), so a slow live handler is not claimed and run twice;
 * - deliveriesOf / deadLetter: an entry delivered too often (a poison event)
 *   is copied to `<stream>:dead-letter` and acked, instead of retried forever.
 */
import type { Redis } from 'ioredis';
import { PACKET_FIELD, fieldOf } from './stream-entry.js';

// Resets the idle time of the ids (ARGV[3..]) that `consumer` (ARGV[2]) still owns in `group` (ARGV[1]):
// never takes back an entry another consumer has claimed meanwhile.
const KEEP_IN_FLIGHT = `
local kept = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept`;

/** Tells the group that `consumer` is still working on `ids` (their idle time restarts from 0). */
export async function keepInFlight(
  redis: Redis,
  stream: string,
  group: string,
  consumer: string,
  ids: string[],
): Promise<void> {
  if (ids.length === 0) return;
  await redis.eval(KEEP_IN_FLIGHT, 1, stream, group, consumer, ...ids);
}

/** How many times each of `ids` (pending in `group`) was delivered, from XPENDING. */
export async function deliveriesOf(
  redis: Redis,
  stream: string,
  group: string,
  ids: string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  await Promise.all(
    ids.map(async (id) => {
      const rows = (await redis.xpending(stream, group, id, id, 1)) as [string, string, number, number][];
      if (rows[0]) counts.set(id, Number(rows[0][3]));
    }),
  );
  return counts;
}

/** The stream that keeps the entries given up on: read it with XRANGE, replay by hand. */
export function deadLetterKey(stream: string): string {
  return `${stream}:dead-letter`;
}

export interface DeadLetter {
  stream: string;
  group: string;
  consumer: string;
  id: string;
  reason: string;
  /** The entry's fields when it still exists. */
  fields: string[] | null;
}

/** Copies an entry given up on into the dead-letter stream (with why); the caller acks it. */
export async function deadLetter(redis: Redis, letter: DeadLetter): Promise<void> {
  const packet = fieldOf(letter.fields, PACKET_FIELD);
  await redis.xadd(
    deadLetterKey(letter.stream),
    '*',
    'stream',
    letter.stream,
    'id',
    letter.id,
    'group',
    letter.group,
    'consumer',
    letter.consumer,
    'reason',
    letter.reason,
    ...(packet === undefined ? [] : [PACKET_FIELD, packet]),
  );
}

/**
 * The two promises of a consumer group that are this service's to keep; the
 * RedisStreamsServer (given) reads the stream, runs the handlers and calls
 * these (main.ts passes them as its `delivery` option).
 *
 * An entry XREADGROUP hands to a consumer sits in the group's pending list
 * until that consumer acknowledges it. If the consumer dies first, the entry
 * stays there, owned by a consumer that will never come back: a live one must
 * take it over, or the event is silently lost.
 */
import type { Redis } from 'ioredis';

/** This replica as a consumer of its group on one stream (what the server passes in). */
export interface StreamGroup {
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
}

/** An entry: its id and its fields (null when it was deleted from the stream while pending). */
type Entry = [id: string, fields: string[] | null];

/**
 * Takes over up to `count` entries of the group that were delivered and not
 * acknowledged for more than `minIdleMs`, scanning the pending list from
 * `cursor`. The server keeps the entries its handlers are running from ever
 * looking that idle: an entry this idle belongs to a consumer that stopped
 * (a crash) or gave up (a failed handler): the server runs them again here.
 */
export async function claimStale(
  { redis, stream, group, consumer }: StreamGroup,
  minIdleMs: number,
  count: number,
  cursor: string,
): Promise<{ next: string; entries: Entry[]; deleted: string[] }> {
  // XAUTOCLAIM moves the ownership to this consumer and counts one more delivery of each entry.
  const [next, entries, deleted] = (await redis.xautoclaim(
    stream,
    group,
    consumer,
    minIdleMs,
    cursor,
    'COUNT',
    count,
  )) as [string, Entry[], string[]?];
  // Ids deleted from the stream while pending (Redis >= 7): the server dead-letters them.
  return { next, entries, deleted: deleted ?? [] };
}

/**
 * Runs the handler's work for entry `id`, then acknowledges the entry, and
 * only then: a crash during the work, or a work that throws, leaves it
 * pending, for a claim to bring it back.
 */
export async function ackAfterWork(
  { redis, stream, group }: StreamGroup,
  id: string,
  work: () => Promise<void>,
): Promise<void> {
  await work();
  await redis.xack(stream, group, id);
}

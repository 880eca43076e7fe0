/**
 * Keeping a stream and its groups tidy without losing anything:
 *
 * - trimAcked: the publisher does not trim (XADD MAXLEN drops entries a group
 *   that is down has not read yet); the consumers trim what EVERY group is
 *   past: below the oldest entry some group still has pending, or has not
 *   read yet. A group created later starts from what is left.
 * - forgetIdleConsumers: a consumer per replica name piles up as replicas
 *   come and go; one idle for long with nothing pending holds nothing, and
 *   is deleted (a live one that reads again is recreated by Redis).
 */
import type { Redis } from 'ioredis';

/** "1700000000000-3" as a comparable pair. */
function parseId(id: string): [bigint, bigint] {
  const [ms, seq = '0'] = id.split('-');
  return [BigInt(ms), BigInt(seq)];
}

function older(a: string, b: string): string {
  const [am, as] = parseId(a);
  const [bm, bs] = parseId(b);
  return am < bm || (am === bm && as < bs) ? a : b;
}

/** XINFO's flat [key, value, key, value] reply as a record. */
function record(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/**
 * The id below which every group has acked every entry: the oldest of each
 * group's oldest pending id, or (nothing pending) its last delivered id.
 * Undefined when the stream has no group (nobody has read anything yet).
 */
export async function ackedFloor(redis: Redis, stream: string): Promise<string | undefined> {
  const groups = ((await redis.xinfo('GROUPS', stream)) as unknown[][]).map(record);
  let floor: string | undefined;
  for (const group of groups) {
    const summary = (await redis.xpending(stream, String(group.name))) as [number, string | null, ...unknown[]];
    const groupFloor = Number(summary[0]) > 0 && summary[1] ? summary[1] : String(group['last-delivered-id']);
    floor = floor === undefined ? groupFloor : older(floor, groupFloor);
  }
  return floor;
}

/** Deletes the entries every group has acked (XTRIM MINID); returns how many went. */
export async function trimAcked(redis: Redis, stream: string): Promise<number> {
  const floor = await ackedFloor(redis, stream);
  if (floor === undefined || floor === '0-0') return 0;
  return Number(await redis.xtrim(stream, 'MINID', floor));
}

// DELCONSUMER drops the consumer's pending entries with it: check, in the same atomic step, that it has none.
const DELETE_IF_NOTHING_PENDING = `
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
return 1`;

/** Deletes the consumers of `group` (other than `self`) idle for more than `idleMs` with nothing pending. */
export async function forgetIdleConsumers(
  redis: Redis,
  stream: string,
  group: string,
  self: string,
  idleMs: number,
): Promise<string[]> {
  const consumers = ((await redis.xinfo('CONSUMERS', stream, group)) as unknown[][]).map(record);
  const forgotten: string[] = [];
  for (const consumer of consumers) {
    const name = String(consumer.name);
    if (name === self || Number(consumer.pending) > 0 || Number(consumer.idle) <= idleMs) continue;
    if (Number(await redis.eval(DELETE_IF_NOTHING_PENDING, 1, stream, group, name)) === 1) forgotten.push(name);
  }
  return forgotten;
}

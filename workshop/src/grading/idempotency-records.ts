/**
 * What a check may ask about a consumer's idempotency records, to tell why an
 * event was never handled: which event the user service published for each
 * user (read back from the stream), and the Redis keys that name an event's
 * id, with their value and how long they still live.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import type { UserCreatedEvent } from '../../../services/shared/src/events';
import type { LiveSystem } from './live';

export interface IdempotencyRecord {
  key: string;
  /** The string value; for another type, its type in brackets ("[hash]"). */
  value: string;
  /** Milliseconds left before it expires; -1: it never expires. */
  ttlMs: number;
}

/** userId → eventId of every `subject` event JetStream stored (empty when NATS is not running or no stream captures it). */
export async function storedEventIds(system: LiveSystem, subject: string): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  const natsUrl = system.backing.endpoints.natsUrl;
  if (!natsUrl) return ids;
  const nc = await connect({ servers: [natsUrl], token: system.backing.endpoints.natsToken });
  try {
    const jsm = await jetstreamManager(nc);
    const name = await jsm.streams.find(subject).catch(() => undefined);
    if (!name) return ids;
    const { state } = await jsm.streams.info(name);
    for (let seq = state.first_seq; seq > 0 && seq <= state.last_seq; seq++) {
      const message = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (!message || message.subject !== subject) continue;
      const body = message.json<{ data?: UserCreatedEvent } & Partial<UserCreatedEvent>>();
      const event = body.data ?? body;
      if (event.user?.id && event.eventId) ids.set(event.user.id, event.eventId);
    }
    return ids;
  } finally {
    await nc.close();
  }
}

/** For each id, the Redis keys whose name contains it (none when Redis is not running). */
export async function recordsNaming(system: LiveSystem, ids: string[]): Promise<Map<string, IdempotencyRecord[]>> {
  const found = new Map<string, IdempotencyRecord[]>(ids.map((id) => [id, []]));
  const redisUrl = system.backing.endpoints.redisUrl;
  if (!redisUrl || ids.length === 0) return found;
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const id = ids.find((candidate) => key.includes(candidate));
        if (id) found.get(id)!.push(await readRecord(redis, key));
      }
    } while (cursor !== '0');
    return found;
  } finally {
    redis.disconnect();
  }
}

async function readRecord(redis: Redis, key: string): Promise<IdempotencyRecord> {
  const [type, ttlMs] = await Promise.all([redis.type(key), redis.pttl(key)]);
  const value = type === 'string' ? ((await redis.get(key)) ?? '') : `[${type}]`;
  return { key, value, ttlMs };
}

/** `handled:mail:1c96 = "mail-1:7f3a..." (no expiry)`, for a failure message. */
export function describeRecord(record: IdempotencyRecord): string {
  const life =
    record.ttlMs === -1 ? 'no expiry' : record.ttlMs < 0 ? 'gone' : `expires in ${(record.ttlMs / 1000).toFixed(1)} s`;
  return `${record.key} = ${JSON.stringify(record.value)} (${life})`;
}

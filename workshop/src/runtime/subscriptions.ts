/**
 * How many subscribers a subject has on the broker right now. The runtime
 * waits on this before it says "ready": a replica that printed "ready" may
 * still have its SUBSCRIBE in flight, and an event published before it
 * lands would be missed by that replica.
 */
import { Redis } from 'ioredis';

export async function redisSubscribers(redisUrl: string, channel: string): Promise<number> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const reply = (await client.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return Number(reply[1]);
  } finally {
    client.disconnect();
  }
}

interface Subsz {
  subscriptions_list?: { subject: string; qgroup?: string; cid: number }[];
}
interface Connz {
  connections?: { cid: number }[];
}

async function monitorGet<T>(monitorUrl: string, path: string): Promise<T> {
  const response = await fetch(`${monitorUrl}${path}`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as T;
}

/** Subscriptions on `subject`, with their queue group ('' for none) and connection id, from NATS's monitoring port. */
export async function natsSubscriptions(
  monitorUrl: string,
  subject: string,
): Promise<{ queue: string; cid: number }[]> {
  const body = await monitorGet<Subsz>(monitorUrl, '/subsz?subs=1&limit=10000');
  return (body.subscriptions_list ?? [])
    .filter((s) => s.subject === subject)
    .map((s) => ({ queue: s.qgroup ?? '', cid: s.cid }));
}

/** The ids of the connections NATS holds right now. */
export async function natsConnectionIds(monitorUrl: string): Promise<Set<number>> {
  const body = await monitorGet<Connz>(monitorUrl, '/connz?limit=10000');
  return new Set((body.connections ?? []).map((c) => c.cid));
}

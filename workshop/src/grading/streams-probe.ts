/**
 * What Redis itself says about a stream and its consumer groups: the live
 * checks of step 6 wait on this (consumers that pull hold no pub/sub
 * subscription to count) and report it when an assertion fails.
 */
import { Redis } from 'ioredis';

export interface ConsumerInfo {
  name: string;
  /** Entries delivered to it and not acked yet. */
  pending: number;
  /** Milliseconds since it last read or claimed. */
  idle: number;
}

export interface PendingEntry {
  id: string;
  /** The consumer that owns it now. */
  consumer: string;
  /** Milliseconds since it was last delivered (or claimed). */
  idle: number;
  /** How many times it was delivered (a claim counts one more). */
  deliveries: number;
}

export interface GroupInfo {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
}

/** XINFO replies are flat [key, value, key, value, ...] lists. */
function record(flat: unknown): Record<string, unknown> {
  const list = flat as unknown[];
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[String(list[i])] = list[i + 1];
  return out;
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && /no such key|NOGROUP/i.test(error.message);
}

export class StreamsProbe {
  private constructor(
    private readonly redis: Redis,
    readonly redisUrl: string,
  ) {}

  static async connect(redisUrl: string): Promise<StreamsProbe> {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return new StreamsProbe(redis, redisUrl);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** The consumers of `group` on `stream` (none if either does not exist yet). */
  async consumers(stream: string, group: string): Promise<ConsumerInfo[]> {
    try {
      const reply = (await this.redis.call('XINFO', 'CONSUMERS', stream, group)) as unknown[];
      return reply.map(record).map((c) => ({ name: String(c.name), pending: Number(c.pending), idle: Number(c.idle) }));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async groups(stream: string): Promise<GroupInfo[]> {
    try {
      const reply = (await this.redis.call('XINFO', 'GROUPS', stream)) as unknown[];
      return reply.map(record).map((g) => ({
        name: String(g.name),
        consumers: Number(g.consumers),
        pending: Number(g.pending),
        lastDeliveredId: String(g['last-delivered-id']),
      }));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async length(stream: string): Promise<number> {
    return this.redis.xlen(stream);
  }

  /**
   * Up to `count` entries pending in `group` (delivered, not acked), oldest
   * first: who owns each, how long it has been idle, how often it was delivered.
   */
  async pendingEntries(stream: string, group: string, count = 100): Promise<PendingEntry[]> {
    try {
      const rows = (await this.redis.xpending(stream, group, '-', '+', count)) as [string, string, number, number][];
      return rows.map(([id, consumer, idle, deliveries]) => ({
        id,
        consumer,
        idle: Number(idle),
        deliveries: Number(deliveries),
      }));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /** How many entries of `stream` were given up on (the transport's `<stream>:dead-letter` stream). */
  async deadLetters(stream: string): Promise<number> {
    return this.redis.xlen(`${stream}:dead-letter`);
  }

  /** The id of the newest entry ever added to `stream` ('0-0' if none). */
  async lastId(stream: string): Promise<string> {
    try {
      const info = record(await this.redis.call('XINFO', 'STREAM', stream));
      return String(info['last-generated-id']);
    } catch (error) {
      if (isMissing(error)) return '0-0';
      throw error;
    }
  }

  /**
   * True when `group` has been handed every entry of `stream` and has acked
   * them all: nothing waits to be read, nothing waits to be redelivered.
   */
  async drained(stream: string, group: string): Promise<boolean> {
    const [lastId, groups] = await Promise.all([this.lastId(stream), this.groups(stream)]);
    const info = groups.find((g) => g.name === group);
    return !!info && info.pending === 0 && info.lastDeliveredId === lastId;
  }

  /** "mail: 3 pending, last delivered 17-0 of 20-0 (mail-1: 3 pending, idle 1200 ms; ...)", for failure messages. */
  async describe(stream: string, groups: string[]): Promise<string> {
    const lastId = await this.lastId(stream);
    const infos = await this.groups(stream);
    const lines = [`stream ${stream}: ${await this.length(stream)} entries, last id ${lastId}`];
    for (const name of groups) {
      const info = infos.find((g) => g.name === name);
      if (!info) {
        lines.push(`group ${name}: does not exist`);
        continue;
      }
      const consumers = (await this.consumers(stream, name))
        .map((c) => `${c.name}: ${c.pending} pending, idle ${c.idle} ms`)
        .join('; ');
      lines.push(
        `group ${name}: ${info.pending} pending, last delivered ${info.lastDeliveredId} (${consumers || 'no consumer'})`,
      );
    }
    return lines.join('\n');
  }

  /** Every key gone: streams, groups, idempotency records. Between tests that share one Redis. */
  async flush(): Promise<void> {
    await this.redis.flushall();
  }
}

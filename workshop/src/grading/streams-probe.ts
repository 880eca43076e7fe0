/**
 * What Redis itself says about a stream and its consumer groups: the live
 * checks of step 6 wait on this (consumers that pull hold no pub/sub
 * subscription to count) and report it when an assertion fails.
 */
import { Redis } from 'ioredis';
import { redisSubscribers } from '../runtime/subscriptions';
import { waitFor } from '../runtime/wait';

export interface ConsumerInfo {
  name: string;
  /** Entries delivered to it and not acked yet. */
  pending: number;
  /** Milliseconds since it last read or claimed. */
  idle: number;
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

export interface ReadyOptions {
  stream: string;
  /** Group name -> the consumer names (replica ids) that must be reading. */
  consumers: Record<string, string[]>;
  /** A consumer idle longer than this is not reading (a dead one that had the same name). Default 3000. */
  maxIdleMs?: number;
  /** Request-response channels whose servers must be subscribed (e.g. user.create). */
  channels?: string[];
  timeoutMs?: number;
}

/**
 * Waits until each named consumer has joined its group and read recently
 * (XINFO CONSUMERS), and each channel has a pub/sub subscriber.
 */
export async function waitForStreamConsumers(probe: StreamsProbe, options: ReadyOptions): Promise<void> {
  const { stream, consumers, maxIdleMs = 3_000, channels = [], timeoutMs = 15_000 } = options;
  for (const [group, names] of Object.entries(consumers)) {
    await waitFor(
      async () => {
        const live = (await probe.consumers(stream, group)).filter((c) => c.idle <= maxIdleMs).map((c) => c.name);
        return names.every((name) => live.includes(name));
      },
      { what: `consumers ${names.join(', ')} reading ${stream} in group ${group}`, timeoutMs },
    );
  }
  for (const channel of channels) {
    await waitFor(async () => (await redisSubscribers(probe.redisUrl, channel)) >= 1, {
      what: `a subscriber on "${channel}"`,
      timeoutMs,
    });
  }
}

/** Waits until every group has acked every entry of the stream. */
export async function waitForDrained(
  probe: StreamsProbe,
  stream: string,
  groups: string[],
  timeoutMs = 20_000,
): Promise<void> {
  for (const group of groups) {
    await waitFor(() => probe.drained(stream, group), {
      what: `group ${group} to have read and acked every entry of ${stream}`,
      timeoutMs,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await probe.describe(stream, groups)}`);
    });
  }
}

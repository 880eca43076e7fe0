/**
 * The Redis Streams tests' own helpers (workshop/test/redis-streams.int.test.ts):
 * wait until named consumers read their groups, or until the groups drained.
 */
import type { StreamsProbe } from '../../src/grading/streams-probe';
import { redisSubscribers } from '../../src/runtime/subscriptions';
import { waitFor } from '../../src/runtime/wait';

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

/**
 * What a check may ask Redis about a stream's consumer groups (step 6): the
 * groups, their consumers, what is still pending and how often it was
 * delivered, and what was dead-lettered. The check never talks to Redis
 * itself; undefined where the runtime does not say where Redis is (a stack).
 */
import { StreamsProbe, type ConsumerInfo, type PendingEntry } from './streams-probe';
import type { LiveSystem } from './live';

export interface StreamGroupState {
  name: string;
  consumers: ConsumerInfo[];
  /** Entries delivered to the group and not acked. */
  pending: number;
  /** Up to 1000 of them, oldest first. */
  pendingEntries: PendingEntry[];
  /** True when the group was handed every entry of the stream (nothing waits to be read). */
  readAll: boolean;
}

export interface StreamState {
  stream: string;
  /** The id of the newest entry ('0-0' when the stream is empty or missing). */
  lastId: string;
  groups: StreamGroupState[];
  /** Entries the consumers gave up on (`<stream>:dead-letter`). */
  deadLetters: number;
}

/** The consumer groups of `stream` right now; undefined when Redis is not reachable from here. */
export async function streamGroups(system: LiveSystem, stream: string): Promise<StreamState | undefined> {
  const redisUrl = system.backing.endpoints.redisUrl;
  if (!redisUrl) return undefined;
  const probe = await StreamsProbe.connect(redisUrl);
  try {
    const [lastId, groups, deadLetters] = await Promise.all([
      probe.lastId(stream),
      probe.groups(stream),
      probe.deadLetters(stream),
    ]);
    const states = await Promise.all(
      groups.map(async (g) => ({
        name: g.name,
        consumers: await probe.consumers(stream, g.name),
        pending: g.pending,
        pendingEntries: await probe.pendingEntries(stream, g.name, 1_000),
        readAll: g.lastDeliveredId === lastId,
      })),
    );
    return { stream, lastId, groups: states, deadLetters };
  } finally {
    await probe.close();
  }
}

/** True when every group has read and acked every entry of the stream. */
export function streamDrained(state: StreamState): boolean {
  return state.groups.every((g) => g.pending === 0 && g.readAll);
}

/**
 * The options of the Redis Streams transport, and their defaults. The timing
 * knobs can also come from the environment, so that a test (or an operator)
 * can shorten them without touching the services' code.
 */
import type { Deserializer, Serializer } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import type { ChaosHooks } from '../chaos-hooks.js';
import type { RawEntry } from './stream-entry.js';

export interface RedisConnectionOptions {
  /** redis://host:port; takes precedence over host/port. */
  url?: string;
  host?: string;
  port?: number;
}

/** One consumer of one group on one stream, with the connection to give it commands. */
export interface StreamGroup {
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
}

/** What a claim took over: one page of the group's pending list. */
export interface ClaimedEntries {
  /** Where the next claim starts; '0-0' once the pending list was scanned to its end. */
  next: string;
  /** The entries now owned by this consumer, to be run again. */
  entries: RawEntry[];
  /** Ids that were pending but are gone from the stream (XDEL, trimming): the server dead-letters them. */
  deleted?: string[];
}

/**
 * The two decisions of a consumer group's delivery contract, written by the
 * service (step 6's claim-and-ack.ts) and called by the server:
 *
 * - `claim`: take over entries of the group that were delivered and not acked
 *   for longer than `minIdleMs` (their consumer died, or its handler failed),
 *   up to `count`, scanning the pending list from `cursor`;
 * - `handle`: run `work` (the handler) for entry `id`, and acknowledge the
 *   entry so that the group forgets it. A crash, or a `work` that throws,
 *   must leave the entry pending, for a claim to bring it back.
 *
 * The server does the rest: reading, running at most `concurrency` at once,
 * keeping running entries from looking idle, dead-lettering an entry delivered
 * `maxDeliveries` times or deleted while pending, trimming, closing.
 */
export interface StreamDelivery {
  claim(group: StreamGroup, minIdleMs: number, count: number, cursor: string): Promise<ClaimedEntries>;
  handle(group: StreamGroup, id: string, work: () => Promise<void>): Promise<void>;
}

export interface RedisStreamsServerOptions extends RedisConnectionOptions {
  /** The consumer group: one per service (e.g. 'mail'). Each event reaches one consumer of each group. */
  group: string;
  /** How this consumer claims a dead consumer's entries and acknowledges its own (see StreamDelivery). */
  delivery: StreamDelivery;
  /** This replica's name in the group. Default: REPLICA_ID, else host-pid. Keep it stable across restarts. */
  consumer?: string;
  /**
   * Where a group that does not exist yet starts: '0' (default: every entry
   * still in the stream, so events published before the group existed reach
   * it) or '$' (new events only).
   */
  startId?: '$' | '0';
  /**
   * Events this replica handles at once. It never reads (or claims) more
   * entries than it has free slots, so no entry waits unstarted in its
   * pending list. Default 10, or REDIS_STREAMS_CONCURRENCY.
   */
  concurrency?: number;
  /** How long XREADGROUP blocks waiting for new entries. Default: min(2000, claimIntervalMs). */
  blockMs?: number;
  /**
   * XAUTOCLAIM's min-idle-time: an entry delivered but not acked for this
   * long is taken over by a live consumer (its first one may have crashed).
   * A running handler keeps its entries from going idle, so this only bounds
   * how soon a crashed consumer's work comes back. Default 30 s, or
   * REDIS_STREAMS_CLAIM_IDLE_MS.
   */
  claimIdleMs?: number;
  /** How often to look for such entries. Default claimIdleMs / 2, or REDIS_STREAMS_CLAIM_INTERVAL_MS. */
  claimIntervalMs?: number;
  /**
   * Deliveries of one entry before it is given up on: copied to
   * `<stream>:dead-letter`, logged and acked. Default 5, or REDIS_STREAMS_MAX_DELIVERIES.
   */
  maxDeliveries?: number;
  /**
   * How long one handler may run. Past it the entry is no longer kept from
   * going idle, so the next claim (by any consumer, this one too) runs it
   * again; the late handler's work is not cancelled. Default 60 s, or HANDLER_TIMEOUT_MS.
   */
  handlerTimeoutMs?: number;
  /** How long close() waits for running handlers (to ack them) before it closes the connections. Default 30 s. */
  closeGraceMs?: number;
  /** How often a consumer trims the entries every group has acked (XTRIM MINID). Default 60 s. */
  trimIntervalMs?: number;
  /** At start, other consumers of the group idle this long with nothing pending are deleted. Default 1 h. */
  forgetConsumersIdleMs?: number;
  /** Fault hooks around each handler (tests only). Default: the CHAOS_* environment, read once. */
  chaos?: ChaosHooks;
  serializer?: Serializer;
  deserializer?: Deserializer;
}

/**
 * The publisher does not trim the stream (XADD MAXLEN would drop entries a
 * group that is down has not read): the consumers trim what every group acked.
 */
export interface RedisStreamsClientOptions extends RedisConnectionOptions {
  serializer?: Serializer;
}

export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_CLAIM_IDLE_MS = 30_000;
export const DEFAULT_BLOCK_MS = 2_000;
export const DEFAULT_MAX_DELIVERIES = 5;
export const DEFAULT_HANDLER_TIMEOUT_MS = 60_000;
export const DEFAULT_CLOSE_GRACE_MS = 30_000;
export const DEFAULT_TRIM_INTERVAL_MS = 60_000;
export const DEFAULT_FORGET_CONSUMERS_IDLE_MS = 60 * 60 * 1000;

function positiveInt(name: string, value: number | undefined, env: string | undefined): number | undefined {
  const raw = value ?? (env === undefined || env.trim() === '' ? undefined : Number(env));
  if (raw === undefined) return undefined;
  if (!Number.isInteger(raw) || raw <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return raw;
}

export interface ResolvedServerOptions {
  group: string;
  consumer: string;
  startId: '$' | '0';
  concurrency: number;
  blockMs: number;
  claimIdleMs: number;
  claimIntervalMs: number;
  maxDeliveries: number;
  handlerTimeoutMs: number;
  closeGraceMs: number;
  trimIntervalMs: number;
  forgetConsumersIdleMs: number;
}

export function resolveServerOptions(
  options: RedisStreamsServerOptions,
  env: Record<string, string | undefined> = process.env,
): ResolvedServerOptions {
  if (!options.group?.trim()) throw new Error('RedisStreamsServer needs a consumer group name (group)');
  if (typeof options.delivery?.claim !== 'function' || typeof options.delivery?.handle !== 'function')
    throw new Error('RedisStreamsServer needs delivery: { claim, handle } (how entries are claimed and acknowledged)');
  const claimIdleMs =
    positiveInt('claimIdleMs', options.claimIdleMs, env.REDIS_STREAMS_CLAIM_IDLE_MS) ?? DEFAULT_CLAIM_IDLE_MS;
  const claimIntervalMs =
    positiveInt('claimIntervalMs', options.claimIntervalMs, env.REDIS_STREAMS_CLAIM_INTERVAL_MS) ??
    Math.max(50, Math.floor(claimIdleMs / 2));
  return {
    group: options.group,
    consumer: options.consumer ?? env.REPLICA_ID ?? `${env.HOSTNAME ?? 'consumer'}-${process.pid}`,
    startId: options.startId ?? '0',
    concurrency: positiveInt('concurrency', options.concurrency, env.REDIS_STREAMS_CONCURRENCY) ?? DEFAULT_CONCURRENCY,
    blockMs: positiveInt('blockMs', options.blockMs, undefined) ?? Math.min(DEFAULT_BLOCK_MS, claimIntervalMs),
    claimIdleMs,
    claimIntervalMs,
    maxDeliveries:
      positiveInt('maxDeliveries', options.maxDeliveries, env.REDIS_STREAMS_MAX_DELIVERIES) ?? DEFAULT_MAX_DELIVERIES,
    handlerTimeoutMs:
      positiveInt('handlerTimeoutMs', options.handlerTimeoutMs, env.HANDLER_TIMEOUT_MS) ?? DEFAULT_HANDLER_TIMEOUT_MS,
    closeGraceMs: positiveInt('closeGraceMs', options.closeGraceMs, undefined) ?? DEFAULT_CLOSE_GRACE_MS,
    trimIntervalMs: positiveInt('trimIntervalMs', options.trimIntervalMs, undefined) ?? DEFAULT_TRIM_INTERVAL_MS,
    forgetConsumersIdleMs:
      positiveInt('forgetConsumersIdleMs', options.forgetConsumersIdleMs, undefined) ??
      DEFAULT_FORGET_CONSUMERS_IDLE_MS,
  };
}

/** ioredis options for a connection described by `options`. */
export function connectionOf(options: RedisConnectionOptions): { host: string; port: number } {
  if (options.url) {
    const url = new URL(options.url);
    return { host: url.hostname, port: url.port ? Number(url.port) : 6379 };
  }
  return { host: options.host ?? '127.0.0.1', port: options.port ?? 6379 };
}

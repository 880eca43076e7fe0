/**
 * The options of the Redis Streams transport, and their defaults. The timing
 * knobs can also come from the environment, so that a test (or an operator)
 * can shorten them without touching the services' code.
 */
import type { Deserializer, Serializer } from '@nestjs/microservices';
import type { IdempotencyOptions as StoreOptions } from '../idempotency/store.js';

export interface RedisConnectionOptions {
  /** redis://host:port; takes precedence over host/port. */
  url?: string;
  host?: string;
  port?: number;
}

/**
 * The shared idempotency store's options (leaseMs, doneTtlMs, prefix: see
 * ../idempotency/store.ts), plus which id to deduplicate on.
 */
export interface IdempotencyOptions extends StoreOptions {
  /**
   * The id an event is deduplicated on. Default: the payload's `eventId`
   * when it has one (so a publisher's retry is caught too), else the stream
   * entry id.
   */
  key?: (data: unknown, entryId: string) => string;
}

export interface RedisStreamsServerOptions extends RedisConnectionOptions {
  /** The consumer group: one per service (e.g. 'mail'). Each event reaches one consumer of each group. */
  group: string;
  /** This replica's name in the group. Default: REPLICA_ID, else host-pid. Keep it stable across restarts. */
  consumer?: string;
  /** Where a group that does not exist yet starts: '$' (new events only, the default) or '0' (the whole stream). */
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
   * Must exceed the slowest handler. Default 30 s, or REDIS_STREAMS_CLAIM_IDLE_MS.
   */
  claimIdleMs?: number;
  /** How often to look for such entries. Default claimIdleMs / 2, or REDIS_STREAMS_CLAIM_INTERVAL_MS. */
  claimIntervalMs?: number;
  /**
   * Skip events this group already handled (at-least-once delivery
   * redelivers), with a record per event id in Redis (SET NX, with a TTL).
   * Off unless given. The claim's lease defaults to claimIdleMs; keys are
   * `idem-stream:<group>:<event id>`, apart from a handler's own
   * IdempotentConsumer (`idem:<scope>:<event id>`), so both can be on.
   */
  idempotency?: IdempotencyOptions | boolean;
  serializer?: Serializer;
  deserializer?: Deserializer;
}

export interface RedisStreamsClientOptions extends RedisConnectionOptions {
  /** Approximate cap on each stream's length (XADD MAXLEN ~). Default 10 000. */
  maxLen?: number;
  serializer?: Serializer;
}

export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_CLAIM_IDLE_MS = 30_000;
export const DEFAULT_BLOCK_MS = 2_000;
export const IDEMPOTENCY_PREFIX = 'idem-stream';
export const DEFAULT_MAX_LEN = 10_000;

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
}

export function resolveServerOptions(
  options: RedisStreamsServerOptions,
  env: Record<string, string | undefined> = process.env,
): ResolvedServerOptions {
  if (!options.group?.trim()) throw new Error('RedisStreamsServer needs a consumer group name (group)');
  const claimIdleMs =
    positiveInt('claimIdleMs', options.claimIdleMs, env.REDIS_STREAMS_CLAIM_IDLE_MS) ?? DEFAULT_CLAIM_IDLE_MS;
  const claimIntervalMs =
    positiveInt('claimIntervalMs', options.claimIntervalMs, env.REDIS_STREAMS_CLAIM_INTERVAL_MS) ??
    Math.max(50, Math.floor(claimIdleMs / 2));
  return {
    group: options.group,
    consumer: options.consumer ?? env.REPLICA_ID ?? `${env.HOSTNAME ?? 'consumer'}-${process.pid}`,
    startId: options.startId ?? '$',
    concurrency: positiveInt('concurrency', options.concurrency, env.REDIS_STREAMS_CONCURRENCY) ?? DEFAULT_CONCURRENCY,
    blockMs: positiveInt('blockMs', options.blockMs, undefined) ?? Math.min(DEFAULT_BLOCK_MS, claimIntervalMs),
    claimIdleMs,
    claimIntervalMs,
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

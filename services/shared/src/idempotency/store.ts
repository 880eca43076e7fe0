/**
 * An idempotent consumer's memory, in Redis: which events a consumer has
 * already handled, so that a redelivered event is not handled twice.
 *
 * One key per (consumer, event): `idem:mail:<eventId>`. The scheme, and why:
 *
 * 1. claim   SET key "<replica>:<uuid>" NX PX leaseMs
 *            Only one replica at a time may work on an event. The claim is a
 *            LEASE: if its holder crashes before it sends, the key expires and
 *            a later redelivery claims it again, so the event is not lost
 *            (claim-then-send with a permanent claim would lose it).
 * 2. work    send the email / the push. While it runs, the holder renews its
 *            lease every leaseMs / 3 (compare-and-PEXPIRE), so the lease can
 *            be short (a dead holder's claim is free again in seconds) and a
 *            slow but live handler still keeps it.
 * 3. done    SET key "done:<replica>" PX doneTtlMs
 *            From now on every redelivery is skipped (and acked), so the
 *            crash "after send, before ack" gives no second email
 *            (send-then-mark with no claim would let two replicas send at once).
 * 4. failure DEL key if it still holds our claim (compare-and-delete), so the
 *            nak'ed event can be retried at once instead of after the lease.
 *
 * A redelivery that finds the claim held by someone else (a live replica
 * still working, or a dead one whose lease has not expired yet) is refused
 * with ClaimHeldError, whose retryAfterMs is the lease's remaining time: the
 * transport naks it with that delay, and a later delivery does the work.
 *
 * What no scheme can close with a store beside the side effect: a crash
 * between step 2 and step 3 (the email left, "done" did not). Its lease
 * expires and the event is sent again. The window is one Redis round trip;
 * closing it needs the provider itself to dedupe (an idempotency key the
 * mail or push provider honours).
 */
import { RpcException } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { requireUrl } from '../env.js';

export interface IdempotencyOptions {
  /**
   * How long a claim outlives its holder: a crashed replica's events wait this
   * long before another may handle them. Renewed while the work runs.
   * Default: IDEMPOTENCY_LEASE_MS, else 5000.
   */
  leaseMs?: number;
  /** How long "done" is remembered: longer than any redelivery can come (the stream's max age). Default 24 h. */
  doneTtlMs?: number;
  /** Key prefix (default "idem"). */
  prefix?: string;
}

export type Claim =
  { kind: 'claimed'; token: string } | { kind: 'done'; by: string } | { kind: 'held'; retryAfterMs: number };

/** The event is being handled elsewhere (or by a replica that died): retry after the lease. */
export class ClaimHeldError extends RpcException {
  constructor(
    readonly key: string,
    readonly holder: string,
    readonly retryAfterMs: number,
  ) {
    // An object error survives Nest's RPC exception filter, so the transport sees retryAfterMs.
    super({ status: 'error', message: `${key} is claimed by ${holder}, retry in ${retryAfterMs} ms`, retryAfterMs });
  }
}

// Deletes the key only if it still holds our claim: never someone else's claim, never "done".
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
// Extends our claim's lease, only while it is still ours.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

const DONE = 'done:';

export class IdempotencyStore {
  readonly leaseMs: number;
  readonly doneTtlMs: number;
  private readonly prefix: string;
  private readonly owner = process.env.REPLICA_ID ?? `pid-${process.pid}`;

  constructor(
    private readonly redis: Redis,
    options: IdempotencyOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? envMs('IDEMPOTENCY_LEASE_MS') ?? 5_000;
    this.doneTtlMs = options.doneTtlMs ?? 24 * 60 * 60 * 1000;
    this.prefix = options.prefix ?? 'idem';
  }

  /** A store on REDIS_URL (redis://host:port). */
  static fromEnv(options?: IdempotencyOptions): IdempotencyStore {
    const url = requireUrl('REDIS_URL', ['redis:']);
    return new IdempotencyStore(new Redis(url.toString(), { maxRetriesPerRequest: 2 }), options);
  }

  key(scope: string, eventId: string): string {
    return `${this.prefix}:${scope}:${eventId}`;
  }

  async claim(key: string): Promise<Claim> {
    const token = `${this.owner}:${randomUUID()}`;
    if ((await this.redis.set(key, token, 'PX', this.leaseMs, 'NX')) === 'OK') return { kind: 'claimed', token };
    const [value, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
    if (value?.startsWith(DONE)) return { kind: 'done', by: value.slice(DONE.length) };
    // Gone in between (expired or released): the next delivery will get it.
    if (value === null) return { kind: 'held', retryAfterMs: 100 };
    return { kind: 'held', retryAfterMs: Math.max(100, ttl) };
  }

  /** The work is done: remember it (unconditionally: the side effect happened, whoever holds the claim now). */
  async complete(key: string): Promise<void> {
    await this.redis.set(key, `${DONE}${this.owner}`, 'PX', this.doneTtlMs);
  }

  async release(key: string, token: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, key, token);
  }

  /** Renews the lease; false when the claim is no longer ours (it expired and was taken). */
  async renew(key: string, token: string): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, key, token, String(this.leaseMs))) === 1;
  }

  /**
   * Runs `work` at most once per key (see the scheme above). Resolves
   * `{ ran: false }` for an event already done; throws ClaimHeldError while
   * another claim holds it; rethrows the work's error after releasing the claim.
   */
  async once<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false; by: string }> {
    const claim = await this.claim(key);
    if (claim.kind === 'done') return { ran: false, by: claim.by };
    if (claim.kind === 'held') {
      const holder = (await this.redis.get(key))?.split(':')[0] ?? 'another replica';
      throw new ClaimHeldError(key, holder, claim.retryAfterMs);
    }
    const renewal = setInterval(() => void this.renew(key, claim.token).catch(() => false), this.leaseMs / 3);
    let value: T;
    try {
      value = await work();
    } catch (error) {
      await this.release(key, claim.token).catch(() => undefined); // the lease expires anyway
      throw error;
    } finally {
      clearInterval(renewal);
    }
    await this.complete(key);
    return { ran: true, value };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function envMs(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number of ms, got "${raw}"`);
  return value;
}

/**
 * The Redis Streams transport's own idempotency guard (its `idempotency`
 * option): which events a consumer group has already handled, in Redis, so
 * that a redelivered entry is not handled twice. (Step 5's consumers on
 * JetStream bring their own guard, through ../idempotency.)
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
 * A lease can be LOST while the work runs: Redis stalls or fails over for
 * longer than the lease, a renewal fails or finds the key gone, and another
 * replica claims the event. The holder then logs it and aborts its work's
 * AbortSignal (a handler that has not sent yet can stop there); size the lease
 * above a Redis failover. Once the work succeeded, "done" is written with
 * retries and never reported as a failure: the side effect happened, so the
 * event must be acked, not nak'ed (which would send it again).
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
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ClaimHeldError } from '../idempotency/guard.js';
import { logEvent } from '../replica.js';

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
  /** Who holds a claim, in the records (default: REPLICA_ID, else pid-<pid>). */
  owner?: string;
  /** Where lease losses and retried "done" records are told (default: the replica's log). */
  log?: (message: string) => void;
}

/** What `once` hands the work: aborted when the claim's lease was lost (another replica may take the event). */
export interface WorkContext {
  signal: AbortSignal;
}

export type Claim =
  { kind: 'claimed'; token: string } | { kind: 'done'; by: string } | { kind: 'held'; retryAfterMs: number };

// Deletes the key only if it still holds our claim: never someone else's claim, never "done".
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
// Extends our claim's lease, only while it is still ours.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

const DONE = 'done:';
/** complete() after the side effect: tries, spaced 200, 400, ... ms (about 9 s in all). */
const COMPLETE_TRIES = 10;
const COMPLETE_RETRY_MS = 200;

export class IdempotencyStore {
  readonly leaseMs: number;
  readonly doneTtlMs: number;
  private readonly prefix: string;
  private readonly owner: string;
  private readonly log: (message: string) => void;

  constructor(
    private readonly redis: Redis,
    options: IdempotencyOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? envMs('IDEMPOTENCY_LEASE_MS') ?? 5_000;
    this.doneTtlMs = options.doneTtlMs ?? 24 * 60 * 60 * 1000;
    this.prefix = options.prefix ?? 'idem';
    this.owner = options.owner ?? process.env.REPLICA_ID ?? `pid-${process.pid}`;
    this.log = options.log ?? logEvent;
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
  async once<T>(
    key: string,
    work: (context: WorkContext) => Promise<T>,
  ): Promise<{ ran: true; value: T } | { ran: false; by: string }> {
    const claim = await this.claim(key);
    if (claim.kind === 'done') return { ran: false, by: claim.by };
    if (claim.kind === 'held') {
      const holder = (await this.redis.get(key))?.split(':')[0] ?? 'another replica';
      throw new ClaimHeldError(key, holder, claim.retryAfterMs);
    }
    const lease = this.keepLease(key, claim.token);
    let value: T;
    try {
      value = await work({ signal: lease.signal });
    } catch (error) {
      lease.stop();
      await this.release(key, claim.token).catch(() => undefined); // the lease expires anyway
      throw error;
    }
    lease.stop();
    if (lease.signal.aborted) this.log(`${key}: done after its lease was lost: another replica may have run it too`);
    await this.completeAfterSideEffect(key);
    return { ran: true, value };
  }

  /**
   * Renews the claim every leaseMs / 3 while the work runs. A renewal that
   * fails (Redis down, stalled past the lease) or finds the claim gone means
   * another replica may take the event: logged, and the signal aborted.
   */
  private keepLease(key: string, token: string): { signal: AbortSignal; stop: () => void } {
    const controller = new AbortController();
    const deadline = () => Date.now() + this.leaseMs;
    let expiresAt = deadline();
    const lost = (why: string) => {
      if (controller.signal.aborted) return;
      this.log(`${key}: lease lost (${why}): another replica may run this event; aborting the work`);
      controller.abort(new Error(`lease on ${key} lost: ${why}`));
    };
    const renewal = setInterval(() => {
      const asked = deadline();
      if (Date.now() > expiresAt) return lost(`not renewed within ${this.leaseMs} ms`);
      this.renew(key, token).then(
        (ours) => {
          if (!ours) return lost('the claim expired and is no longer ours');
          // Our lease runs from when we asked; a reply that came after it ran out is too late.
          if (Date.now() > expiresAt) return lost(`renewal answered after the lease ran out`);
          expiresAt = asked;
        },
        (error: unknown) => lost(`renewal failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, this.leaseMs / 3);
    return { signal: controller.signal, stop: () => clearInterval(renewal) };
  }

  /** complete(), retried: the side effect happened, so this must not turn into a failure (a nak would redo it). */
  private async completeAfterSideEffect(key: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.complete(key);
        if (attempt > 1) this.log(`${key}: "done" recorded on try ${attempt}`);
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt >= COMPLETE_TRIES) {
          this.log(`${key}: handled, but "done" could not be recorded (${reason}): a redelivery would run it again`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, COMPLETE_RETRY_MS * attempt));
      }
    }
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

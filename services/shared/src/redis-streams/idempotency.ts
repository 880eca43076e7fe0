/**
 * The idempotent-consumer record, on Redis alone: one key per (group, event
 * id), taken with SET NX.
 *
 * Two states, so that a crash loses nothing and a redelivery repeats nothing:
 * - `processing`, with a short lease (the claim idle time): taken before the
 *   handler runs, so two consumers never run the same event at once;
 * - `done`, with a long TTL: written once the handler has succeeded, before
 *   the XACK. A redelivery (the ack never arrived) finds it and is skipped.
 * A handler that fails gives its lease back, so a retry can run. A replica
 * that dies while holding a lease lets it expire: the event is then run again
 * by whoever claims it. The one window left is a crash after the side effect
 * and before `done` is written: that event runs twice (never zero times).
 */
import type { Redis } from 'ioredis';

export type Claim =
  /** Nobody handled it: go ahead. */
  | 'claimed'
  /** This group already handled it: ack and skip. */
  | 'done'
  /** Another consumer holds its lease right now: leave it pending, it comes back later. */
  | 'busy';

const PROCESSING = 'processing';
const DONE = 'done';

export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly group: string,
    private readonly leaseMs: number,
    private readonly ttlSeconds: number,
  ) {}

  key(eventId: string): string {
    return `idempotency:${this.group}:${eventId}`;
  }

  async claim(eventId: string): Promise<Claim> {
    const key = this.key(eventId);
    const taken = await this.redis.set(key, PROCESSING, 'PX', this.leaseMs, 'NX');
    if (taken === 'OK') return 'claimed';
    const state = await this.redis.get(key);
    if (state === DONE) return 'done';
    if (state === null) return this.claim(eventId); // the lease expired in between: try again
    return 'busy';
  }

  /** The handler succeeded: remember it for the TTL. */
  async complete(eventId: string): Promise<void> {
    await this.redis.set(this.key(eventId), DONE, 'EX', this.ttlSeconds);
  }

  /** The handler failed: give the lease back, so a retry can run. */
  async release(eventId: string): Promise<void> {
    await this.redis.del(this.key(eventId));
  }
}

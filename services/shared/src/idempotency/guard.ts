/**
 * What an idempotency guard is given, and what it promises: the contract
 * between the Nest wiring (IdempotencyModule, IdempotentConsumer: given) and
 * the guard that decides, for one event, whether to run the work (step 5:
 * yours).
 *
 * A guard resolves once the event needs nothing more (the work ran and was
 * recorded, or it had already been done): the transport then acks it. It
 * throws when the event must come back later: the work failed, or another
 * replica holds the event's claim. The transport then naks it (JetStream
 * redelivers it after the delay an error's `retryAfterMs` asks for).
 */
import { RpcException } from '@nestjs/microservices';
import type { Redis } from 'ioredis';

export interface GuardContext {
  /** The connection to REDIS_URL, shared by the replica's events. */
  redis: Redis;
  /** Whose records these are: the name the module was given ('mail', 'push'). */
  service: string;
  /** The event's own id (UserCreatedEvent.eventId): the same on every redelivery. */
  eventId: string;
  /** This replica (REPLICA_ID, e.g. "mail-2"): worth writing into a claim, to read who holds it. */
  replica: string;
  /**
   * How long a claim may outlive the replica that took it: IDEMPOTENCY_LEASE_MS,
   * default 90 s. A replica that crashes holding a claim keeps its event from
   * everyone else this long; a send still running when it runs out may be sent
   * twice, so the default is above the transports' handler deadline (60 s).
   */
  leaseMs: number;
  /**
   * How long "done" must be remembered: IDEMPOTENCY_RETENTION_MS, default 24 h,
   * as long as the stream keeps an event (its max age), so any redelivery finds it.
   */
  retentionMs: number;
}

/** Runs `work` for the event unless `service` has already handled it (see above). */
export type IdempotencyGuard = (context: GuardContext, work: () => Promise<void>) => Promise<void>;

/**
 * "Not now": the event's claim is held elsewhere (a live replica still
 * working on it, or a crashed one whose lease has not run out yet). Thrown by
 * a guard, it reaches the transport, which naks the event with
 * `retryAfterMs` as the delay: a later delivery tries again.
 */
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

/**
 * The idempotency guard of mail and push: JetStream delivers at least once,
 * so a replica that crashed after its send (before its ack) gets its event
 * sent again by the next one. This guard keeps a record per service and
 * event in Redis, so that each service handles each event once.
 *
 * What the guard is given, and what resolving or throwing means to the
 * transport, is in guard.ts.
 */
import type { IdempotencyGuard } from './guard.js';

export const handleOnce: IdempotencyGuard = async (
  { redis, service, eventId, replica, leaseMs, retentionMs },
  work,
) => {
  // TODO: before the work, claim this event for this service in Redis, in one step: only if nothing is recorded for it yet, and only for the lease, so that a replica that dies holding the claim keeps the event from the others that long at most
  // TODO: found a record already? The event was done: skip the work (resolve, the transport acks it). Still claimed by a replica at work, or by one that died: it is not handled, so it must not be acked: make the transport bring it back once the claim may be free
  // TODO: the work failed: give back your claim (yours only), so that the redelivery can run it without waiting for the lease
  // TODO: the work succeeded: record the event as done, kept as long as a redelivery can come (the retention); a failure to record it must not fail the event
  await work();
};

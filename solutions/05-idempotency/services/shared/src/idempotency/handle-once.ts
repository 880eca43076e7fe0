/**
 * The idempotency guard of mail and push: JetStream delivers at least once,
 * so a replica that crashed after its send (before its ack) gets its event
 * sent again by the next one. This guard keeps a record per service and
 * event in Redis, so that each service handles each event once.
 */
import { randomUUID } from 'node:crypto';
import { logEvent } from '../replica.js';
import { ClaimHeldError, type IdempotencyGuard } from './guard.js';

const DONE = 'done';

// Deletes the record only while it still holds our claim: never another replica's claim, never "done".
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export const handleOnce: IdempotencyGuard = async (
  { redis, service, eventId, replica, leaseMs, retentionMs },
  work,
) => {
  // One record per service and event: mail's and push's never meet.
  const key = `handled:${service}:${eventId}`;
  // Unique to this attempt, so that we give back only our own claim.
  const claim = `${replica}:${randomUUID()}`;
  // The claim: only if no one holds one, and only for a lease, so a replica that dies now keeps the event that long at most.
  if ((await redis.set(key, claim, 'PX', leaseMs, 'NX')) !== 'OK') {
    const [holder, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
    // Done already: a redelivery. Resolve, and the transport acks it without a second send.
    if (holder === DONE) return;
    // Claimed by a replica still at work, or by one that died: not handled yet, so not acked. Retried after the lease.
    throw new ClaimHeldError(key, holder ?? 'nobody any more', Math.max(ttl, 100));
  }
  try {
    await work();
  } catch (error) {
    // The send failed: give the claim back, so the redelivery can run it at once (else the lease frees it later).
    await redis.eval(RELEASE, 1, key, claim).catch(() => undefined);
    throw error;
  }
  // Sent: every later delivery is skipped, for as long as one can come. Never a failure now: a nak would send it again.
  await redis
    .set(key, DONE, 'PX', retentionMs)
    .catch((error: Error) =>
      logEvent(`${key}: sent, but "done" not recorded (${error.message}): a redelivery would send it again`),
    );
};

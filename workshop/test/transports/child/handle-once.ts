/** Scenarios for step 5's reference guard, loaded from a tree that holds it (see ../handle-once.int.test.ts). */
import { Redis } from 'ioredis';
import type { GuardContext, IdempotencyGuard } from '../../../../services/shared/src/idempotency/guard.js';
import { delay } from './common';

type Args = Record<string, unknown> & { url: string; guardFile: string; eventId: string };

async function load({ url, guardFile }: Args): Promise<{ guard: IdempotencyGuard; redis: Redis }> {
  const { handleOnce } = (await import(guardFile)) as { handleOnce: IdempotencyGuard };
  return { guard: handleOnce, redis: new Redis(url) };
}

const context = (redis: Redis, service: string, eventId: string, replica: string, leaseMs = 300): GuardContext => ({
  redis,
  service,
  eventId,
  replica,
  leaseMs,
  retentionMs: 60_000,
});

/** What one call did: ran the work, skipped it, or threw (with the retry delay it asked for). */
async function attempt(guard: IdempotencyGuard, ctx: GuardContext, work: () => Promise<void> = async () => undefined) {
  let ran = false;
  try {
    await guard(ctx, async () => {
      ran = true;
      await work();
    });
    return ran ? 'ran' : 'skipped';
  } catch (error) {
    const retry = (error as { retryAfterMs?: unknown }).retryAfterMs;
    return typeof retry === 'number' ? `held, retry in ${retry <= ctx.leaseMs ? '<= lease' : retry}` : 'threw';
  }
}

/** Once per service: a redelivery is skipped, and push handles what mail handled. */
export async function oncePerService(args: Args) {
  const { guard, redis } = await load(args);
  try {
    return [
      await attempt(guard, context(redis, 'mail', args.eventId, 'mail-1')),
      await attempt(guard, context(redis, 'mail', args.eventId, 'mail-2')),
      await attempt(guard, context(redis, 'push', args.eventId, 'push-1')),
      await attempt(guard, context(redis, 'push', args.eventId, 'push-2')),
    ];
  } finally {
    redis.disconnect();
  }
}

/** A claim held by a replica at work is thrown back, not acked; once that replica is done, it is skipped. */
export async function heldIsThrownBack(args: Args) {
  const { guard, redis } = await load(args);
  let finish: () => void = () => undefined;
  try {
    const first = attempt(guard, context(redis, 'mail', args.eventId, 'mail-1', 5_000), () => {
      return new Promise<void>((resolve) => (finish = resolve));
    });
    await delay(100);
    const whileHeld = await attempt(guard, context(redis, 'mail', args.eventId, 'mail-2', 5_000));
    finish();
    const firstResult = await first;
    const afterDone = await attempt(guard, context(redis, 'mail', args.eventId, 'mail-2', 5_000));
    return [firstResult, whileHeld, afterDone];
  } finally {
    redis.disconnect();
  }
}

/** A failed send gives its claim back: the next delivery runs at once, not after the lease. */
export async function failureReleases(args: Args) {
  const { guard, redis } = await load(args);
  try {
    const failed = await attempt(guard, context(redis, 'mail', args.eventId, 'mail-1', 60_000), async () => {
      throw new Error('SMTP refused');
    });
    return [failed, await attempt(guard, context(redis, 'mail', args.eventId, 'mail-2', 60_000))];
  } finally {
    redis.disconnect();
  }
}

/** A replica that dies holding the claim (its work never ends) keeps the event for the lease, not for good. */
export async function crashedClaimRunsOut(args: Args) {
  const { guard, redis } = await load(args);
  try {
    void attempt(guard, context(redis, 'mail', args.eventId, 'mail-1', 300), () => new Promise<void>(() => undefined));
    await delay(50);
    const during = await attempt(guard, context(redis, 'mail', args.eventId, 'mail-2', 300));
    await delay(400);
    return [during, await attempt(guard, context(redis, 'mail', args.eventId, 'mail-2', 300))];
  } finally {
    redis.disconnect();
  }
}

/** Scenarios for the Redis Streams transport's idempotency store (see ../idempotency.int.test.ts). */
import { Redis } from 'ioredis';
import { redisFromEnv } from '../../../../services/shared/src/idempotency/connection.js';
import { IdempotencyStore } from '../../../../services/shared/src/redis-streams/idempotency-store.js';
import { delay, waitFor } from './common';

type Args = Record<string, unknown> & { url: string };

/** Finding 17: Redis stalls past the lease: the holder learns it lost the lease and aborts, one send in all. */
export async function leaseLost({ url }: Args) {
  const [r1, r2, admin] = [new Redis(url), new Redis(url), new Redis(url)];
  const log: string[] = [];
  const one = new IdempotencyStore(r1, { leaseMs: 300, owner: 'replica-1', log: (m) => log.push(m) });
  const two = new IdempotencyStore(r2, { leaseMs: 300, owner: 'replica-2', log: (m) => log.push(m) });
  const sends: string[] = [];
  /** Waits `ms` before its send, unless the lease is lost first. */
  const slowSend = (who: string, ms: number) => async (context?: { signal?: AbortSignal }) => {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      context?.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('aborted: lease lost'));
      });
    });
    sends.push(who);
  };
  try {
    const first = one.once('idem:test:e17', slowSend('replica-1', 1_000)).catch((error: Error) => error.message);
    await delay(50);
    void admin.call('DEBUG', 'SLEEP', '0.5'); // Redis stalls past the 300 ms lease
    await delay(100);
    // Queued behind the stall; refused while replica-1's claim holds, it retries as the transports do (a nak).
    const second = await retryWhileHeld(() => two.once('idem:test:e17', slowSend('replica-2', 100)));
    const firstResult = await first;
    return { sends, second: second.ran, first: firstResult, log };
  } finally {
    for (const r of [r1, r2, admin]) r.disconnect();
  }
}

async function retryWhileHeld<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      if (retryAfterMs === undefined || i >= 10) throw error;
      await delay(retryAfterMs);
    }
  }
}

/** Finding 18: "done" fails to record after the side effect: retried, and once() does not fail. */
export async function completeRetried({ url }: Args) {
  const [redis, admin] = [new Redis(url, { maxRetriesPerRequest: 1 }), new Redis(url)];
  const log: string[] = [];
  const store = new IdempotencyStore(redis, { leaseMs: 2_000, owner: 'replica-1', log: (m) => log.push(m) });
  try {
    const result = await store
      .once('idem:test:e18', async () => {
        // The email went out; now Redis refuses writes for a moment (NOREPLICAS).
        await admin.config('SET', 'min-replicas-to-write', '1');
        setTimeout(() => void admin.config('SET', 'min-replicas-to-write', '0'), 300);
      })
      .then(
        (r) => `ran: ${r.ran}`,
        (error: Error) => `failed: ${error.message}`,
      );
    return { result, done: await admin.get('idem:test:e18'), log };
  } finally {
    await admin.config('SET', 'min-replicas-to-write', '0');
    redis.disconnect();
    admin.disconnect();
  }
}

/** Finding 19: a guard's connection to an unreachable Redis logs one line, no "Unhandled error event" stack. */
export async function unreachableRedisQuiet({ deadUrl }: Args & { deadUrl: string }) {
  const printed: string[] = [];
  const original = { log: console.log, error: console.error };
  console.log = (...parts: unknown[]) => void printed.push(parts.map(String).join(' '));
  console.error = (...parts: unknown[]) => void printed.push(parts.map(String).join(' '));
  process.env.REDIS_URL = deadUrl;
  const redis = redisFromEnv();
  let reconnects = 0;
  redis.on('reconnecting', () => reconnects++);
  try {
    await waitFor(() => reconnects >= 3, { what: '3 reconnect attempts' });
  } finally {
    redis.disconnect();
    Object.assign(console, original);
  }
  return {
    unhandled: printed.filter((line) => line.includes('Unhandled error event')).length,
    lines: printed.filter((line) => line.includes('idempotency store: redis')).length,
  };
}

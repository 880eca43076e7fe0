/** Scenarios for the Redis Streams transport (see ../redis-streams.int.test.ts). */
import { Redis } from 'ioredis';
import { lastValueFrom } from 'rxjs';
import { RedisStreamsClient, RedisStreamsServer } from '../../../../services/shared/src/redis-streams/index.js';
import { trimAcked } from '../../../../services/shared/src/redis-streams/housekeeping.js';
import type { RedisStreamsServerOptions } from '../../../../services/shared/src/redis-streams/options.js';
// The claim and the ack are the service's code (step 6's learner file): the tests run the reference solution's.
import {
  ackAfterWork,
  claimStale,
} from '../../../../solutions/06-redis-streams/services/shared/src/redis-streams/claim-and-ack.js';
import { delay, listen, logged, recorder, waitFor } from './common';

type Args = Record<string, unknown> & { url: string };
type Handler = (data: unknown) => Promise<void>;

async function withRedis<T>(url: string, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(url);
  try {
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

async function publish(url: string, stream: string, count: number, options: object = {}): Promise<void> {
  const client = new RedisStreamsClient({ url, ...options });
  try {
    for (let i = 0; i < count; i++) await lastValueFrom(client.emit(stream, { eventId: `${stream}-${i}`, n: i }));
  } finally {
    await client.close();
  }
}

async function startServer(
  url: string,
  stream: string,
  handler: Handler,
  options: Partial<RedisStreamsServerOptions>,
): Promise<RedisStreamsServer> {
  const server = new RedisStreamsServer({ url, group: 'g', consumer: 'c1', chaos: noChaos, delivery, ...options });
  server.addHandler(stream, handler as never, true);
  await listen(server);
  return server;
}

const delivery = { claim: claimStale, handle: ackAfterWork };

const noChaos = { beforeHandler: async () => undefined, beforeAck: async () => undefined };

const pendingOf = (redis: Redis, stream: string, group = 'g') =>
  redis.xpending(stream, group).then((summary) => Number((summary as unknown[])[0]));

/** Finding 1: a group that is down while 1000 are published (with a publisher maxLen of 100) still gets all 1000. */
export async function downGroupGetsEverything({ url }: Args) {
  const stream = 'f1';
  return withRedis(url, async (redis) => {
    await redis.xgroup('CREATE', stream, 'down', '$', 'MKSTREAM');
    const other = recorder();
    const up = await startServer(url, stream, other.handler, { group: 'up', trimIntervalMs: 100 });
    await publish(url, stream, 1000, { maxLen: 100 }); // the option the publisher used to trim with
    await waitFor(() => other.runs.length === 1000 && pendingOf(redis, stream, 'up').then((n) => n === 0), {
      what: 'group up to handle all 1000',
    });
    const trimmedWhileDown = await trimAcked(redis, stream); // what the cleanup task does
    const lengthWhileDown = await redis.xlen(stream);
    const late = recorder();
    const down = await startServer(url, stream, late.handler, { group: 'down', trimIntervalMs: 100 });
    await waitFor(() => late.runs.length >= 1000 && pendingOf(redis, stream, 'down').then((n) => n === 0), {
      what: 'group down, once started, to handle all 1000',
      timeoutMs: 15_000,
    });
    // Both groups are past every entry: the periodic cleanup trims them (all but the last delivered one).
    await waitFor(async () => (await redis.xlen(stream)) <= 1, { what: 'the cleanup to trim the acked entries' });
    await Promise.all([up.close(), down.close()]);
    return { trimmedWhileDown, lengthWhileDown, lateHandled: late.runs.length };
  });
}

/** Finding 2: an entry deleted while pending is dead-lettered and logged, not silently dropped. */
export async function deletedWhilePending({ url }: Args) {
  const stream = 'f2';
  return withRedis(url, async (redis) => {
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    await publish(url, stream, 1);
    const read = (await redis.xreadgroup('GROUP', 'g', 'crashed', 'COUNT', 1, 'STREAMS', stream, '>')) as [
      string,
      [string, string[]][],
    ][];
    const id = read[0][1][0][0];
    await redis.xdel(stream, id); // deleted while pending (a trim, an operator)
    const r = recorder();
    const server = await startServer(url, stream, r.handler, { claimIdleMs: 100 });
    const dead = await waitFor(
      async () => {
        const entries = await redis.xrange(`${stream}:dead-letter`, '-', '+');
        return entries.length > 0 && entries;
      },
      { what: 'the deleted entry in the dead-letter stream', timeoutMs: 3_000 },
    );
    await server.close();
    return { id, dead, logs: logged(/deleted/), runs: r.runs.length };
  });
}

/** Finding 3: events published before the group existed reach it. */
export async function beforeGroupExists({ url }: Args) {
  const stream = 'f3';
  await publish(url, stream, 3);
  const r = recorder();
  const server = await startServer(url, stream, r.handler, {});
  try {
    await waitFor(() => r.runs.length === 3, { what: '3 events published before the group', timeoutMs: 3_000 });
  } finally {
    await server.close();
  }
  return { runs: r.runs.length };
}

/** Finding 4: a live handler slower than the claim idle time is not claimed and run again. */
export async function slowHandlerRunsOnce({ url }: Args) {
  const stream = 'f4';
  return withRedis(url, async (redis) => {
    const r = recorder(() => delay(2_000));
    // c1 takes the entry and never claims (its claim interval is long); c2, started once c1 runs it, claims
    // anything idle > 600 ms every 100 ms: only c1's keeping the entry claimed can stop it.
    const a = await startServer(url, stream, r.handler, { consumer: 'c1', claimIdleMs: 600, claimIntervalMs: 60_000 });
    await publish(url, stream, 1);
    await waitFor(() => r.runs.length === 1, { what: 'c1 to start the slow handler' });
    const b = await startServer(url, stream, r.handler, { consumer: 'c2', claimIdleMs: 600, claimIntervalMs: 100 });
    await waitFor(() => r.runs.some((run) => run.done) && pendingOf(redis, stream).then((n) => n === 0), {
      what: 'the slow event to be handled and acked',
    });
    await Promise.all([a.close(), b.close()]);
    return { runs: r.runs.length };
  });
}

/** Finding 5: a failing entry is retried up to maxDeliveries, then dead-lettered and acked. */
export async function poisonDeadLettered({ url }: Args) {
  const stream = 'f5';
  return withRedis(url, async (redis) => {
    const r = recorder(() => Promise.reject(new Error('poison')));
    const server = await startServer(url, stream, r.handler, {
      claimIdleMs: 100,
      claimIntervalMs: 50,
      maxDeliveries: 3,
    });
    await publish(url, stream, 1);
    const dead = await waitFor(
      async () => {
        const entries = await redis.xrange(`${stream}:dead-letter`, '-', '+');
        return entries.length > 0 && (await pendingOf(redis, stream)) === 0 && entries;
      },
      { what: 'the poison entry to be dead-lettered and acked', timeoutMs: 5_000 },
    );
    await server.close();
    return { runs: r.runs.length, dead };
  });
}

/** Finding 6: close() lets a running handler finish and ack before the connections close. */
export async function closeDrains({ url }: Args) {
  const stream = 'f6';
  return withRedis(url, async (redis) => {
    const r = recorder(() => delay(5_500)); // longer than the 5 s the old close() waited
    const server = await startServer(url, stream, r.handler, {});
    await publish(url, stream, 1);
    await waitFor(() => r.runs.length === 1, { what: 'the handler to start' });
    await server.close();
    return { finished: r.runs.filter((run) => run.done).length, pending: await pendingOf(redis, stream) };
  });
}

/**
 * Step 6's promise: entries a consumer read and never acked (it died) are
 * taken over by a live consumer once idle, run, acked; the group drains.
 */
export async function deadConsumersEntriesClaimed({ url }: Args) {
  const stream = 'f21';
  return withRedis(url, async (redis) => {
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    await publish(url, stream, 5);
    // A consumer reads three entries and dies before handling them.
    await redis.xreadgroup('GROUP', 'g', 'dead-replica', 'COUNT', 3, 'STREAMS', stream, '>');
    const heldByDead = await pendingOf(redis, stream);
    const r = recorder();
    const server = await startServer(url, stream, r.handler, { claimIdleMs: 300, claimIntervalMs: 100 });
    await waitFor(() => r.runs.length === 5 && pendingOf(redis, stream).then((n) => n === 0), {
      what: "the dead consumer's 3 entries claimed and all 5 acked",
      timeoutMs: 5_000,
    });
    await server.close();
    return { heldByDead, runs: r.runs.length, logs: logged(/claimed 3 entries/) };
  });
}

/** Step 6's other promise: an entry whose work fails stays pending (no ack), and a later claim runs it again. */
export async function failedWorkStaysPending({ url }: Args) {
  const stream = 'f22';
  return withRedis(url, async (redis) => {
    const r = recorder((run) => (run === 1 ? Promise.reject(new Error('SMTP refused')) : Promise.resolve()));
    const server = await startServer(url, stream, r.handler, { claimIdleMs: 300, claimIntervalMs: 100 });
    await publish(url, stream, 1);
    await waitFor(() => r.runs.length === 1, { what: 'the first run to fail' });
    const pendingAfterFailure = await pendingOf(redis, stream);
    await waitFor(() => r.runs.length === 2 && pendingOf(redis, stream).then((n) => n === 0), {
      what: 'the failed entry claimed, run again and acked',
      timeoutMs: 5_000,
    });
    await server.close();
    return { pendingAfterFailure, runs: r.runs.length };
  });
}

/** Finding 7: consumers idle for long with nothing pending are deleted at start. */
export async function forgetsIdleConsumers({ url }: Args) {
  const stream = 'f7';
  return withRedis(url, async (redis) => {
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    await redis.xgroup('CREATECONSUMER', stream, 'g', 'gone-replica');
    await waitFor(
      async () => {
        const [info] = (await redis.xinfo('CONSUMERS', stream, 'g')) as unknown[][];
        return Number(info[info.indexOf('idle') + 1]) > 200;
      },
      { what: 'the old consumer to be idle for more than 200 ms' },
    );
    const server = await startServer(url, stream, recorder().handler, { forgetConsumersIdleMs: 200 });
    const consumers = ((await redis.xinfo('CONSUMERS', stream, 'g')) as unknown[][]).map((c) => String(c[1]));
    await server.close();
    return { consumers, logs: logged(/gone-replica/) };
  });
}

/** Finding 12 (Redis Streams side): a handler stuck past its deadline is let go, and another consumer runs the entry. */
export async function stuckHandlerLetGo({ url }: Args) {
  const stream = 'f12';
  return withRedis(url, async (redis) => {
    const r = recorder((run) => (run === 1 ? new Promise(() => undefined) : Promise.resolve()));
    const options = { claimIdleMs: 300, claimIntervalMs: 100, handlerTimeoutMs: 500 };
    // c1's handler never ends: its close() waits 200 ms for it, then closes anyway.
    const a = await startServer(url, stream, r.handler, { ...options, consumer: 'c1', closeGraceMs: 200 });
    const b = await startServer(url, stream, r.handler, { ...options, consumer: 'c2' });
    await publish(url, stream, 1);
    await waitFor(() => r.runs.length === 2 && pendingOf(redis, stream).then((n) => n === 0), {
      what: 'the stuck entry claimed, run again and acked',
      timeoutMs: 5_000,
    });
    await Promise.all([a.close(), b.close()]);
    return { runs: r.runs.length, logs: logged(/let go/) };
  });
}

/** Finding 20: hooks given as an option are the ones called around each handler. */
export async function injectedChaos({ url }: Args) {
  const stream = 'f20';
  const calls: string[] = [];
  const chaos = {
    beforeHandler: async () => void calls.push('beforeHandler'),
    beforeAck: async () => void calls.push('beforeAck'),
  };
  const r = recorder();
  const server = await startServer(url, stream, r.handler, { chaos });
  await publish(url, stream, 1);
  await waitFor(() => calls.length === 2, { what: 'both hooks to be called', timeoutMs: 3_000 });
  await server.close();
  return { calls };
}

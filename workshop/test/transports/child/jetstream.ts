/** Scenarios for the JetStream transport (see ../jetstream.int.test.ts). */
import { AckPolicy, RetentionPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { lastValueFrom } from 'rxjs';
import {
  JetStreamClient,
  JetStreamServer,
  type JetStreamServerOptions,
} from '../../../../services/shared/src/jetstream/index.js';
import { referenceContract } from '../../support/jetstream-contract';
import { listen, logged, recorder, waitFor } from './common';

type Args = Record<string, unknown> & { url: string; monitorUrl: string };
type Handler = (data: unknown) => Promise<void>;

const noChaos = { beforeHandler: async () => undefined, beforeAck: async () => undefined };

/** A stream of its own per scenario: S_<name> capturing <name>.event. */
function spec(name: string) {
  return { name: `S_${name}`, subjects: [`${name}.event`] };
}

async function withNats<T>(url: string, use: (nc: NatsConnection, jsm: JetStreamManager) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: [url] });
  try {
    return await use(nc, await jetstreamManager(nc));
  } finally {
    await nc.close();
  }
}

/** The durable's settings a scenario sets (the rest is the reference contract's). */
interface DurableSettings {
  ackWaitMs?: number;
  maxDeliver?: number;
}

const contract = referenceContract();

/** A server on the scenario's stream, durable `d`, answering NATS with the reference contract's settle. */
async function startServer(
  url: string,
  name: string,
  handler: Handler,
  { ackWaitMs = 5_000, maxDeliver, ...options }: DurableSettings & Partial<JetStreamServerOptions> = {},
): Promise<JetStreamServer> {
  const durable = {
    ...contract.durableConsumer('d'),
    ack_wait: nanos(ackWaitMs),
    ...(maxDeliver ? { max_deliver: maxDeliver } : {}),
  };
  const server = new JetStreamServer({
    servers: [url],
    stream: spec(name),
    durable,
    settle: contract.settle,
    chaos: noChaos,
    ...options,
  });
  server.addHandler(`${name}.event`, handler as never, true);
  await listen(server);
  return server;
}

async function publish(url: string, name: string, count = 1): Promise<void> {
  const client = new JetStreamClient({ servers: [url], stream: spec(name) });
  try {
    for (let i = 0; i < count; i++) await lastValueFrom(client.emit(`${name}.event`, { eventId: `${name}-${i}` }));
  } finally {
    await client.close();
  }
}

/** The durable has no message delivered and unacked, and has delivered at least `delivered`. */
async function settled(jsm: JetStreamManager, name: string, delivered = 1): Promise<boolean> {
  const info = await jsm.consumers.info(`S_${name}`, 'd');
  return info.num_ack_pending === 0 && info.num_pending === 0 && info.delivered.stream_seq >= delivered;
}

/** Finding 8: a durable with another config is updated explicitly, and the drift logged. */
export async function durableDrift({ url }: Args) {
  const name = 'f8';
  return withNats(url, async (_nc, jsm) => {
    await jsm.streams.add({ ...spec(name) });
    // What an older version of the service left: ack wait 5 s, max deliver 5.
    await jsm.consumers.add(spec(name).name, {
      durable_name: 'd',
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(5_000),
      max_deliver: 5,
    });
    const server = await startServer(url, name, recorder().handler, { ackWaitMs: 600, maxDeliver: 3 });
    const info = await jsm.consumers.info(spec(name).name, 'd');
    await server.close();
    return {
      ackWaitMs: (info.config.ack_wait ?? 0) / 1e6,
      maxDeliver: info.config.max_deliver,
      drift: logged(/differs/),
    };
  });
}

/** Finding 9: working() follows the durable's real ack wait, changed after this replica started. */
export async function realAckWait({ url }: Args) {
  const name = 'f9';
  return withNats(url, async (_nc, jsm) => {
    const r = recorder(() => new Promise((resolve) => setTimeout(resolve, 2_500)));
    const server = await startServer(url, name, r.handler, { ackWaitMs: 6_000 }); // working() every 3 s
    // Another replica (another version) sets the shared durable's ack wait to 1 s.
    await jsm.consumers.update(spec(name).name, 'd', { ack_wait: nanos(1_000) });
    await publish(url, name);
    await waitFor(() => r.runs.some((run) => run.done) && settled(jsm, name), { what: 'the slow event acked' });
    await server.close();
    return { runs: r.runs.length };
  });
}

/** Finding 10: a deleted durable is recreated, and the replica consumes again. */
export async function durableRecreated({ url }: Args) {
  const name = 'f10';
  return withNats(url, async (_nc, jsm) => {
    const r = recorder();
    const server = await startServer(url, name, r.handler);
    await jsm.consumers.delete(spec(name).name, 'd'); // an operator, or a recreated stream
    await publish(url, name);
    await waitFor(() => r.runs.length === 1, { what: 'the event published after the deletion', timeoutMs: 8_000 });
    await server.close();
    return { runs: r.runs.length };
  });
}

/** Finding 11: a poison event is retried with growing delays, then terminated and dead-lettered. */
export async function poisonTerminated({ url }: Args) {
  const name = 'f11';
  return withNats(url, async (nc, jsm) => {
    const deadLetters: { seq: string | undefined; reason: string | undefined }[] = [];
    const sub = nc.subscribe(`S_${name}.dead-letter.d`, {
      callback: (_error, msg) =>
        void deadLetters.push({
          seq: msg.headers?.get('Workshop-Stream-Seq'),
          reason: msg.headers?.get('Workshop-Dead-Letter-Reason'),
        }),
    });
    await nc.flush();
    const r = recorder(() => Promise.reject(new Error('poison')));
    const server = await startServer(url, name, r.handler, { maxDeliver: 3, nakDelayMs: 200 });
    await publish(url, name);
    await waitFor(() => deadLetters.length === 1 && settled(jsm, name), { what: 'the poison event dead-lettered' });
    const info = await jsm.consumers.info(spec(name).name, 'd');
    await server.close();
    sub.unsubscribe();
    const gaps = r.runs.slice(1).map((run, i) => run.at - r.runs[i].at);
    return { runs: r.runs.length, gaps, deadLetters, maxAckPending: info.config.max_ack_pending };
  });
}

/** Finding 12: a handler stuck past its deadline is given up on, and the event redelivered. */
export async function handlerDeadline({ url }: Args) {
  const name = 'f12';
  return withNats(url, async (_nc, jsm) => {
    // The first run hangs (a stuck SMTP send); the redelivery works.
    const r = recorder((run) => (run === 1 ? new Promise(() => undefined) : Promise.resolve()));
    const server = await startServer(url, name, r.handler, {
      handlerTimeoutMs: 500,
      ackWaitMs: 2_000,
      nakDelayMs: 100,
    });
    await publish(url, name);
    await waitFor(() => r.runs.length === 2 && settled(jsm, name), {
      what: 'the stuck event redelivered and acked',
      timeoutMs: 5_000,
    });
    await server.close();
    return { runs: r.runs.length, logs: logged(/still running after/) };
  });
}

/** Finding 13: every publish carries a Nats-Msg-Id, so a retry after a lost PubAck is stored once. */
export async function msgIdAlways({ url }: Args) {
  const name = 'f13';
  return withNats(url, async (_nc, jsm) => {
    await publish(url, name, 2);
    const ids = await Promise.all(
      [1, 2].map(async (seq) => (await jsm.streams.getMessage(spec(name).name, { seq }))?.header.get('Nats-Msg-Id')),
    );
    return { ids };
  });
}

/** Finding 14: a failed stream check leaves no connection behind. */
export async function failedConnectCloses({ url, monitorUrl }: Args) {
  const name = 'f14';
  return withNats(url, async (_nc, jsm) => {
    await jsm.streams.add({ name: `S_${name}`, subjects: ['elsewhere'] }); // does not capture f14.event
    const connections = async () =>
      ((await (await fetch(`${monitorUrl}/connz`)).json()) as { num_connections: number }).num_connections;
    const before = await connections();
    const client = new JetStreamClient({ servers: [url], stream: spec(name) });
    const errors: string[] = [];
    for (let i = 0; i < 3; i++) {
      await lastValueFrom(client.emit(`${name}.event`, {})).catch((error: Error) => errors.push(error.message));
    }
    await client.close();
    // The monitor sees a closed connection go a moment later: wait for it (a real leak stays past the wait).
    const after = await waitFor(async () => ((await connections()) <= before ? before : false), {
      what: 'the connections to close',
      timeoutMs: 3_000,
    }).catch(() => connections());
    return { errors: errors.length, leaked: after - before };
  });
}

/** Finding 15: an existing stream whose retention breaks the two-durable design is warned about. */
export async function retentionWarned({ url }: Args) {
  const name = 'f15';
  return withNats(url, async (_nc, jsm) => {
    await jsm.streams.add({ ...spec(name), retention: RetentionPolicy.Workqueue });
    const server = await startServer(url, name, recorder().handler);
    await server.close();
    return { warnings: logged(/work-queue retention/) };
  });
}

/** Finding 16: the connection closing under a running handler throws nothing uncaught. */
export async function closedConnection({ url }: Args) {
  const name = 'f16';
  const uncaught: string[] = [];
  const onError = (error: unknown) => uncaught.push(String(error));
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    const r = recorder(() => new Promise((resolve) => setTimeout(resolve, 1_200)));
    const server = await startServer(url, name, r.handler, { ackWaitMs: 400 }); // working() every 200 ms
    await publish(url, name);
    await waitFor(() => r.runs.length === 1, { what: 'the handler to start' });
    await server.unwrap<NatsConnection>().close(); // the connection goes away under the handler
    await waitFor(() => r.runs[0].done, { what: 'the handler to finish' });
    await new Promise((resolve) => setTimeout(resolve, 0)); // the ack right after the handler has been tried
    await server.close();
    return { uncaught, closedLog: logged(/connection closed/).length };
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
}

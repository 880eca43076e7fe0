/**
 * The JetStream tests' own helpers (workshop/test/jetstream.int.test.ts):
 * one durable's state, readiness of named durables, and a fresh stream
 * between scenarios.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { jetStreamConsumers, type ConsumerState } from '../../src/grading/chaos';
import { natsSubscriptions } from '../../src/runtime/subscriptions';
import { waitFor } from '../../src/runtime/wait';

/** One durable's state, or undefined while it does not exist. */
export async function jetStreamConsumer(monitorUrl: string, durable: string): Promise<ConsumerState | undefined> {
  return (await jetStreamConsumers(monitorUrl)).find((c) => c.durable === durable);
}

/**
 * The readiness the runtime skips when `waitForSubscriptions` is off (pull
 * consumers hold no subscription): the user service's core-NATS request
 * subscription, and each named durable consumer, exist on the server.
 */
export async function waitForJetStreamReady(
  monitorUrl: string,
  { requestSubject, durables, timeoutMs = 10_000 }: { requestSubject: string; durables: string[]; timeoutMs?: number },
): Promise<void> {
  await waitFor(async () => (await natsSubscriptions(monitorUrl, requestSubject)).length > 0, {
    what: `a subscriber on "${requestSubject}"`,
    timeoutMs,
  });
  await waitFor(
    async () => {
      const names = new Set((await jetStreamConsumers(monitorUrl)).map((c) => c.durable));
      return durables.every((d) => names.has(d));
    },
    { what: `the durable consumers ${durables.join(', ')} on the server`, timeoutMs },
  );
}

/** Deletes the stream that captures `subject` (and so its durables), whatever its name: the next run starts from an empty one. */
export async function deleteStreamOf(natsUrl: string, subject: string, token?: string): Promise<void> {
  const nc = await connect({ servers: [natsUrl], token });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(subject).catch(() => undefined);
    if (stream) await jsm.streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

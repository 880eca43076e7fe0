/**
 * What a live check may ask the running system's broker, so that no check
 * talks to a broker itself: the subscriptions on a subject (and their queue
 * groups), the JetStream durables, and the last event a stream stored.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsSubscriptions } from '../runtime/subscriptions';
import { jetStreamConsumers, type ConsumerState } from './chaos';
import type { LiveSystem } from './live';

/** The NATS subscriptions on `subject`, each with its queue group ('' for none); undefined when NATS is not running. */
export async function subscriptionsOn(system: LiveSystem, subject: string): Promise<{ queue: string }[] | undefined> {
  const monitor = system.backing.endpoints.natsMonitorUrl;
  return monitor ? natsSubscriptions(monitor, subject) : undefined;
}

/** Every JetStream durable consumer on the server (none when NATS is not running). */
export async function jetStreamDurables(system: LiveSystem): Promise<ConsumerState[]> {
  const monitor = system.backing.endpoints.natsMonitorUrl;
  return monitor ? jetStreamConsumers(monitor) : [];
}

export interface StoredEvent {
  /** The stream that captures the subject. */
  stream: string;
  /** The message's Nats-Msg-Id header ('' when it has none). */
  msgId: string;
  /** The body as JSON. */
  body: unknown;
}

/**
 * The last message JetStream stored on `subject`: undefined when no stream
 * captures it (`stream` is then undefined too) or it holds none.
 */
export async function lastStoredEvent(
  system: LiveSystem,
  subject: string,
): Promise<{ stream?: string; event?: StoredEvent }> {
  const natsUrl = system.backing.endpoints.natsUrl;
  if (!natsUrl) return {};
  const nc = await connect({ servers: [natsUrl], token: system.backing.endpoints.natsToken });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.find(subject).catch(() => undefined);
    if (!stream) return {};
    const message = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    if (!message) return { stream };
    return { stream, event: { stream, msgId: message.header?.get('Nats-Msg-Id') ?? '', body: message.json() } };
  } finally {
    await nc.close();
  }
}

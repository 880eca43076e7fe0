/**
 * The durable consumer of one service: every replica of the service binds
 * the same one, so NATS hands each event to ONE of them, and each service
 * (its own durable) gets every event.
 */
import { AckPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { DurableConfig } from '../jetstream/index.js';

export function durableConsumer(service: string): DurableConfig {
  return {
    // The service's name, the same on all its replicas.
    durable_name: service,
    // Each event is acked on its own, once its work is done.
    ack_policy: AckPolicy.Explicit,
    // Unacked this long after a delivery (or the last working()), it goes to another replica.
    ack_wait: nanos(5_000),
    // A poison event is tried this many times, not forever.
    max_deliver: 10,
  };
}

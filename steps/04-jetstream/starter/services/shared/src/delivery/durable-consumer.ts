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
    // TODO: name it so that all replicas of a service share it, and each service has its own.
    durable_name: '',
    // TODO: each event is acknowledged on its own; one left unacknowledged for 5 s goes to another replica;
    // a failing event is tried 10 times at most.
  };
}

/**
 * The stream the user service publishes its events into, and mail and push
 * read from, each through a durable of its own: whatever one service does
 * with an event, the other still gets it.
 */
import { RetentionPolicy } from '@nats-io/jetstream';
import { USER_CREATED } from '../events.js';
import type { StreamSpec } from '../jetstream/index.js';

export const USER_EVENTS: StreamSpec = {
  name: 'USER_EVENTS',
  // Events only: a request subject (user.create) would get the stream's PubAck as its reply.
  subjects: [USER_CREATED],
  // Limits: an event stays (up to its max age) whoever acked it, so mail's ack takes nothing from push.
  retention: RetentionPolicy.Limits,
};

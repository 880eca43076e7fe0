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
  // TODO: the stream captures the user-created events, and nothing the services send as requests.
  subjects: [],
  // TODO: choose a retention under which an event one service acked is still there for the other one.
};

/**
 * The stream the user service publishes its events into, and mail and push
 * read from: it keeps each event until every service's durable has it.
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

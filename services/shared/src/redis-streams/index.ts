/**
 * A NestJS transport over Redis Streams consumer groups:
 *
 *   strategy: new RedisStreamsServer({ ...redisConnection(), group: 'mail', delivery: { claim, handle } })
 *   (claim and handle: the service's own, step 6's claim-and-ack.ts)
 *   ClientsModule: { customClass: RedisStreamsClient, options: redisConnection() }
 */
export { RedisStreamsClient } from './client.js';
export { RedisStreamsContext } from './context.js';
export { deadLetterKey } from './delivery.js';
export { REDIS_STREAMS_TRANSPORT, RedisStreamsServer } from './server.js';
export type {
  ClaimedEntries,
  RedisStreamsClientOptions,
  RedisStreamsServerOptions,
  StreamDelivery,
  StreamGroup,
} from './options.js';

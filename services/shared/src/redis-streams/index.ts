/**
 * A NestJS transport over Redis Streams consumer groups:
 *
 *   strategy: new RedisStreamsServer({ ...redisConnection(), group: 'mail', idempotency: { doneTtlMs: 86_400_000 } })
 *   ClientsModule: { customClass: RedisStreamsClient, options: redisConnection() }
 */
export { RedisStreamsClient } from './client.js';
export { RedisStreamsContext } from './context.js';
export { REDIS_STREAMS_TRANSPORT, RedisStreamsServer } from './server.js';
export type { IdempotencyOptions, RedisStreamsClientOptions, RedisStreamsServerOptions } from './options.js';

/**
 * Idempotent consumers: each event handled once per service, whatever the
 * transport redelivers. The module and the interceptor are the wiring; the
 * guard (what to do with an event's record in Redis) is the service's own.
 */
export { redisFromEnv } from './connection.js';
export { ClaimHeldError, type GuardContext, type IdempotencyGuard } from './guard.js';
export { IdempotencyModule } from './idempotency.module.js';
export { IdempotentConsumer } from './interceptor.js';

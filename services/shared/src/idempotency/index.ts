/** Idempotent consumers: Redis-backed "at most once per event id", for at-least-once transports. */
export { IdempotencyModule } from './idempotency.module.js';
export { IDEMPOTENCY_SCOPE, IdempotentConsumer } from './interceptor.js';
export { ClaimHeldError, IdempotencyStore, type Claim, type IdempotencyOptions } from './store.js';

/** Injection token of the push provider's base URL (the push sink here). */
export const PUSH_PROVIDER_URL = 'PUSH_PROVIDER_URL';

/** A provider that does not answer within this is treated as down. */
export const PUSH_TIMEOUT_MS = 5_000;

/** The NATS queue group shared by this service's replicas (and by no other service). */
export const PUSH_QUEUE = 'workshop.push-service';

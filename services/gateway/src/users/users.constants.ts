/** Injection token of the client that talks to the user service. */
export const USER_SERVICE = 'USER_SERVICE';

/** How long the gateway waits for the user service before answering 503. */
export const USER_SERVICE_TIMEOUT_MS = 5_000;

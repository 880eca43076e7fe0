/** Injection token of the client that publishes the user service's events. */
export const EVENTS_CLIENT = 'EVENTS_CLIENT';

/**
 * The one line a consumer logs per handled event, what a learner needs to
 * spot a duplicate while it happens: the user, the event (short form) and,
 * from logEvent, the replica.
 *
 *   [mail-2] welcome email to ada@example.com (event 1c96a625)
 */
import type { UserCreatedEvent } from './events.js';
import { logEvent } from './replica.js';

/** The first 8 characters of an event id: enough to tell two events apart in a log. */
export function shortEventId(eventId: string): string {
  return eventId.slice(0, 8);
}

export function deliveryLine(what: string, event: UserCreatedEvent): string {
  return `${what} to ${event.user.email} (event ${shortEventId(event.eventId)})`;
}

export function logDelivery(what: string, event: UserCreatedEvent): void {
  logEvent(deliveryLine(what, event));
}

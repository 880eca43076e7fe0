/**
 * The contracts between the services: message patterns and payloads.
 * One place, so a pattern typo cannot make two services talk past each other.
 */

/** Request-response: the gateway asks the user service to create a user. */
export const USER_CREATE = 'user.create';

/** Event: a user was created. Mail and push react to it. */
export const USER_CREATED = 'user.created';

export interface CreateUserCommand {
  email: string;
  name: string;
}

export interface User {
  id: string;
  email: string;
  name: string;
}

export interface UserCreatedEvent {
  /** Unique per event: the key for counting deliveries and for idempotency. */
  eventId: string;
  /** ISO-8601 time the user was created. */
  occurredAt: string;
  user: User;
}

/** What the push service sends to the push provider (the push sink here). */
export interface PushNotification {
  eventId: string;
  userId: string;
  replicaId: string;
  title: string;
  body: string;
}

/** Mail headers that let a test count emails per event and per replica. */
export const MAIL_HEADERS = {
  eventId: 'X-Event-Id',
  userId: 'X-User-Id',
  replicaId: 'X-Replica-Id',
  /** When the replica sent it, to the millisecond (MailDev's own time is the Date header's, to the second). */
  sentAt: 'X-Sent-At',
} as const;

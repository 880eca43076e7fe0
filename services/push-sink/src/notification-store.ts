import type { PushNotification } from '../../shared/src/events.js';

export interface ReceivedNotification extends PushNotification {
  receivedAt: string;
}

/** Every notification the sink received, in arrival order. */
export class NotificationStore {
  private readonly received: ReceivedNotification[] = [];

  add(notification: PushNotification): ReceivedNotification {
    const entry = { ...notification, receivedAt: new Date().toISOString() };
    this.received.push(entry);
    return entry;
  }

  list(filter: { eventId?: string; userId?: string } = {}): ReceivedNotification[] {
    return this.received.filter(
      (n) => (!filter.eventId || n.eventId === filter.eventId) && (!filter.userId || n.userId === filter.userId),
    );
  }

  clear(): number {
    return this.received.splice(0).length;
  }
}

const REQUIRED: (keyof PushNotification)[] = ['eventId', 'userId', 'replicaId', 'title', 'body'];

/** Checks a posted body; returns the notification, the names of the bad fields, or of the unknown ones. */
export function parseNotification(body: unknown): PushNotification | { invalid: string[] } | { unknown: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { invalid: ['body'] };
  const record = body as Record<string, unknown>;
  // Own keys only: JSON.parse keeps "__proto__" as one, and a provider refuses what it does not know.
  const unknown = Object.keys(record).filter((key) => !(REQUIRED as string[]).includes(key));
  if (unknown.length > 0) return { unknown: unknown.slice(0, 5).map((key) => JSON.stringify(key.slice(0, 40))) };
  const invalid = REQUIRED.filter((key) => typeof record[key] !== 'string' || record[key] === '');
  if (invalid.length > 0) return { invalid };
  const [eventId, userId, replicaId, title, body_] = REQUIRED.map((key) => record[key] as string);
  return { eventId, userId, replicaId, title, body: body_ };
}

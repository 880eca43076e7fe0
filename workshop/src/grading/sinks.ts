/**
 * Read-back clients for the two sinks the graders count in: MailDev (over its
 * REST API) and the push sink. Both give the same shape, a Delivery per email
 * or push, so one tally serves both.
 */
export interface Delivery {
  eventId: string;
  userId: string;
  replicaId: string;
  /** The email's recipient, or the push's user id. */
  to: string;
  /** When the sink received it (ISO-8601), if the sink says. */
  at?: string;
  /** The sink's own id for it (MailDev's email id), if it has one. */
  id?: string;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

async function remove(url: string): Promise<void> {
  const response = await fetch(url, { method: 'DELETE', signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`DELETE ${url} answered ${response.status}`);
}

interface MailDevEmail {
  id: string;
  to: { address: string }[];
  time?: string;
  headers: Record<string, string | undefined>;
}

/**
 * MailDev's REST API: MailDev 3 serves it under /api (the npm package the
 * local runtime runs); MailDev 2 (the maildev/maildev:2 images a deployed
 * stack may run) at the root. The client finds out once which one it talks to.
 */
export class MailDevClient {
  private prefix: Promise<string> | undefined;

  constructor(readonly baseUrl: string) {}

  private api(): Promise<string> {
    this.prefix ??= fetch(`${this.baseUrl}/api/healthz`, { signal: AbortSignal.timeout(5_000) })
      .then((r) => (r.status === 404 ? '' : '/api'))
      .catch((error: unknown) => {
        this.prefix = undefined; // not up yet: ask again next time
        throw error;
      });
    return this.prefix;
  }

  async healthy(): Promise<boolean> {
    return (await getJson<boolean>(`${this.baseUrl}${await this.api()}/healthz`)) === true;
  }

  /** Every email in the inbox. Headers come lower-cased from MailDev. */
  async deliveries(): Promise<Delivery[]> {
    const emails = await getJson<MailDevEmail[]>(`${this.baseUrl}${await this.api()}/email`);
    return emails.map((email) => ({
      eventId: email.headers['x-event-id'] ?? '',
      userId: email.headers['x-user-id'] ?? '',
      replicaId: email.headers['x-replica-id'] ?? '',
      to: email.to.map((t) => t.address).join(','),
      at: email.headers['x-sent-at'] ?? email.time,
      id: email.id,
    }));
  }

  async clear(): Promise<void> {
    return remove(`${this.baseUrl}${await this.api()}/email/all`);
  }
}

interface SinkNotification {
  eventId: string;
  userId: string;
  replicaId: string;
  receivedAt?: string;
}

export class PushSinkClient {
  constructor(readonly baseUrl: string) {}

  async healthy(): Promise<boolean> {
    return (await getJson<{ status: string }>(`${this.baseUrl}/health`)).status === 'ok';
  }

  async deliveries(): Promise<Delivery[]> {
    const list = await getJson<SinkNotification[]>(`${this.baseUrl}/notifications`);
    return list.map((n) => ({
      eventId: n.eventId,
      userId: n.userId,
      replicaId: n.replicaId,
      to: n.userId,
      at: n.receivedAt,
    }));
  }

  clear(): Promise<void> {
    return remove(`${this.baseUrl}/notifications`);
  }
}

export interface Tally {
  total: number;
  /** The deliveries counted (for the ledger of a failed check). */
  deliveries: Delivery[];
  /** Deliveries per user id. */
  perUser: Map<string, number>;
  /** Deliveries per replica id. */
  perReplica: Map<string, number>;
}

export function tally(deliveries: Delivery[]): Tally {
  const perUser = new Map<string, number>();
  const perReplica = new Map<string, number>();
  for (const d of deliveries) {
    perUser.set(d.userId, (perUser.get(d.userId) ?? 0) + 1);
    perReplica.set(d.replicaId, (perReplica.get(d.replicaId) ?? 0) + 1);
  }
  return { total: deliveries.length, deliveries, perUser, perReplica };
}

/** "mail-1: 25, mail-2: 25", sorted by replica id: for messages a learner reads. */
export function describeReplicas(perReplica: Map<string, number>): string {
  if (perReplica.size === 0) return 'no replica handled any';
  return [...perReplica.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([replica, count]) => `${replica}: ${count}`)
    .join(', ');
}

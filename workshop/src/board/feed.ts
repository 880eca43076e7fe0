/**
 * What the delivery board shows, as a stream of messages: every email and
 * push as the sinks receive it, and each replica starting, killed or exiting.
 * The sinks are read, not trusted to push: MailDev and the push sink are
 * polled, and each delivery not seen before becomes one message.
 */
import { lifecycleSince, onLifecycle } from '../runtime/lifecycle';
import type { BoardDelivery, BoardMessage, BoardReplica, BoardService, BoardUser } from './protocol';
import type { Delivery } from '../grading/sinks';

export type { BoardDelivery, BoardMessage, BoardReplica, BoardService, BoardUser } from './protocol';

export interface FeedSources {
  mail: () => Promise<Delivery[]>;
  push: () => Promise<Delivery[]>;
  /** The replicas of the running system (none for a deployed stack). */
  replicas: () => BoardReplica[];
  /** Whether kill and restart are offered (the local runtime only). */
  controls: boolean;
}

/** MailDev gives each email an id; a push is told apart by its event, replica and arrival time. */
const keyOf = (d: Delivery, index: number) => d.id ?? `${d.eventId}|${d.replicaId}|${d.at ?? index}`;

export class DeliveryFeed {
  private readonly seen: Record<BoardService, Set<string>> = { mail: new Set(), push: new Set() };
  private readonly deliveries: BoardDelivery[] = [];
  private readonly users: BoardUser[] = [];
  private readonly listeners = new Set<(message: BoardMessage) => void>();
  private readonly since = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private stopLifecycle: (() => void) | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly sources: FeedSources) {}

  /** Polls the sinks every `intervalMs` until stop(). */
  start(intervalMs = 250): this {
    this.stopLifecycle = onLifecycle((event) =>
      this.emit({ type: 'lifecycle', event, replicas: this.sources.replicas() }),
    );
    const tick = () => {
      this.polling = this.poll()
        .catch(() => undefined) // a sink restarting: the next poll catches up
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
    return this;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stopLifecycle?.();
    await this.polling;
    this.listeners.clear();
  }

  snapshot(): BoardMessage {
    return {
      type: 'snapshot',
      deliveries: [...this.deliveries],
      users: [...this.users],
      replicas: this.sources.replicas(),
      lifecycle: lifecycleSince(this.since),
      controls: this.sources.controls,
    };
  }

  /** Sends the snapshot now, then every message; returns how to stop listening. */
  subscribe(listener: (message: BoardMessage) => void): () => void {
    listener(this.snapshot());
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Users created through the board: each should get one email and one push. */
  addUsers(users: BoardUser[]): void {
    this.users.push(...users);
    this.emit({ type: 'users', users });
  }

  /** One read of both sinks; each delivery not seen before is announced. */
  async poll(): Promise<void> {
    const [mail, push] = await Promise.all([this.sources.mail(), this.sources.push()]);
    this.take('mail', mail);
    this.take('push', push);
  }

  private take(service: BoardService, list: Delivery[]): void {
    const seen = this.seen[service];
    const keys = list.map(keyOf);
    if (keys.length < seen.size || (seen.size > 0 && !keys.some((k) => seen.has(k)))) {
      // The sink was emptied (a check, or someone pressed "delete all").
      seen.clear();
      this.deliveries.splice(0, this.deliveries.length, ...this.deliveries.filter((d) => d.service !== service));
      this.emit({ type: 'cleared', service });
    }
    const fresh = list
      .map((d, i) => ({ d, key: keys[i] }))
      .filter(({ key }) => !seen.has(key))
      .map(({ d, key }) => {
        seen.add(key);
        const at = d.at ? Date.parse(d.at) : Date.now();
        return { service, replica: d.replicaId, eventId: d.eventId, userId: d.userId, to: d.to, at };
      })
      .sort((a, b) => a.at - b.at);
    for (const delivery of fresh) {
      this.deliveries.push(delivery);
      this.emit({ type: 'delivery', delivery });
    }
  }

  private emit(message: BoardMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

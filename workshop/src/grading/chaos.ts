/**
 * Chaos for the live checks of steps 4 and 5: traffic paced over time (so a
 * kill lands mid-burst), and JetStream's own account of each
 * durable consumer (delivered, acked, redelivered), read from NATS's
 * monitoring port.
 *
 * The replicas' own fault hooks (CHAOS_CRASH_AFTER_SEND, ...) are in
 * services/shared/src/chaos-hooks.ts; the slow mail provider is the local
 * runtime's slowSmtpMs (runtime/latency-proxy.ts).
 */
import type { User } from '../../../services/shared/src/events';
import { createUser } from './traffic';
import { progress, tick } from '../cli/progress';

export interface Burst {
  /** Users created so far (the gateway answered 201). */
  created(): number;
  /** All the users, once the burst is over. */
  done: Promise<User[]>;
}

/**
 * Creates `count` users at about `perSecond`, `concurrency` requests at most
 * in flight: a burst that lasts long enough for a kill to land in its middle.
 */
export function startBurst(
  gatewayUrl: string,
  count: number,
  {
    perSecond = 100,
    concurrency = 10,
    prefix = 'burst',
    onUser,
  }: { perSecond?: number; concurrency?: number; prefix?: string; onUser?: (user: User) => void } = {},
): Burst {
  const users: User[] = new Array(count);
  let created = 0;
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const due = started + (i * 1000) / perSecond;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      users[i] = await createUser(gatewayUrl, `${prefix}-${i + 1}@example.com`, `${prefix} ${i + 1}`);
      created++;
      tick('burst', () => `${created}/${count} users created`);
      onUser?.(users[i]);
    }
  };
  const done = Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker)).then(
    () => (progress(`${count} users created`), users),
  );
  return { created: () => created, done };
}

export interface ConsumerState {
  stream: string;
  durable: string;
  /** Messages handed out, counting each redelivery. */
  delivered: number;
  /** Messages acked (the ack floor's consumer sequence). */
  acked: number;
  /** Delivered, not acked yet. */
  ackPending: number;
  /**
   * Redeliveries so far: deliveries beyond the last stream sequence handed
   * out (a consumer that reads its whole stream from the start, as ours do).
   * Not NATS's num_redelivered, which only counts redelivered messages still
   * waiting for their ack, and so is back to 0 once all is acked.
   */
  redelivered: number;
  /** In the stream, not delivered yet. */
  pending: number;
  /** The durable's ack wait as the server holds it (from its config; undefined when the server does not say). */
  ackWaitMs?: number;
}

interface Jsz {
  account_details?: {
    stream_detail?: {
      name: string;
      consumer_detail?: {
        name: string;
        delivered: { consumer_seq: number; stream_seq: number };
        ack_floor: { consumer_seq: number };
        num_ack_pending: number;
        num_pending: number;
        config?: { ack_wait?: number };
      }[];
    }[];
  }[];
}

/** Every durable consumer on the server, from /jsz (NATS's monitoring port). */
export async function jetStreamConsumers(monitorUrl: string): Promise<ConsumerState[]> {
  const response = await fetch(`${monitorUrl}/jsz?consumers=true&config=true`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${monitorUrl}/jsz answered ${response.status}`);
  const body = (await response.json()) as Jsz;
  return (body.account_details ?? []).flatMap((account) =>
    (account.stream_detail ?? []).flatMap((stream) =>
      (stream.consumer_detail ?? []).map((c) => ({
        stream: stream.name,
        durable: c.name,
        delivered: c.delivered.consumer_seq,
        acked: c.ack_floor.consumer_seq,
        ackPending: c.num_ack_pending,
        redelivered: c.delivered.consumer_seq - c.delivered.stream_seq,
        pending: c.num_pending,
        ackWaitMs: c.config?.ack_wait === undefined ? undefined : c.config.ack_wait / 1e6,
      })),
    ),
  );
}

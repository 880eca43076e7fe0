/**
 * How JetStream stopped delivering a message, from its advisories, watched on
 * the grader's own connection (a check never talks to the broker itself). A
 * message the service terminated (its term) gives a MSG_TERMINATED advisory;
 * one NATS stopped redelivering because it reached the durable's max deliver
 * gives a MAX_DELIVERIES advisory. Advisories are not stored: the watch must
 * be open before the traffic that causes them.
 */
import { connect } from '@nats-io/transport-node';
import type { LiveSystem } from './live';

export interface GaveUp {
  /** `terminated`: the consumer's own term; `max-deliveries`: NATS stopped at max deliver. */
  kind: 'terminated' | 'max-deliveries';
  stream: string;
  consumer: string;
  streamSeq: number;
  /** How many times the message had been delivered. */
  deliveries: number;
}

export interface GiveUpWatch {
  /** What was seen so far, in arrival order. */
  readonly seen: GaveUp[];
  close(): Promise<void>;
}

const ADVISORIES = {
  terminated: '$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.>',
  'max-deliveries': '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.>',
} as const;

interface Advisory {
  stream?: string;
  consumer?: string;
  stream_seq?: number;
  deliveries?: number;
}

/** Starts watching, on the system's NATS, for messages that consumers gave up on (or NATS did for them). */
export async function watchGiveUps(system: LiveSystem): Promise<GiveUpWatch> {
  const natsUrl = system.backing.endpoints.natsUrl;
  if (!natsUrl) throw new Error('the system runs no NATS server: there are no JetStream advisories to watch');
  const nc = await connect({ servers: [natsUrl], token: system.backing.endpoints.natsToken });
  const seen: GaveUp[] = [];
  for (const [kind, subject] of Object.entries(ADVISORIES) as [GaveUp['kind'], string][]) {
    nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) return;
        const advisory = msg.json<Advisory>();
        seen.push({
          kind,
          stream: advisory.stream ?? '?',
          consumer: advisory.consumer ?? '?',
          streamSeq: advisory.stream_seq ?? 0,
          deliveries: advisory.deliveries ?? 0,
        });
      },
    });
  }
  // The server has the subscriptions before the caller makes any traffic.
  await nc.flush();
  return { seen, close: () => nc.close() };
}

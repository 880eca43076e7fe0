/**
 * One delivery of a JetStream message, as the server hands it to the
 * service's `settle` function: the facts about it (which delivery this is,
 * the durable's real ack wait and max deliver) and the four replies NATS
 * understands (ack, nak, term, working). WHICH reply, and WHEN, is the
 * service's delivery contract (its `settle`); this file only makes each reply
 * safe to send:
 *
 * - a reply on a closed connection throws; from a timer that would be an
 *   uncaught exception. Here it is logged instead: the broker redelivers
 *   whatever was not acked anyway;
 * - once the message is settled (acked, nak'ed or terminated), later replies
 *   are ignored: a working() after the ack would tell NATS nothing useful;
 * - term() also publishes a copy to the dead-letter subject, with why.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';

export interface Delivery {
  readonly subject: string;
  /** The message's sequence in the stream. */
  readonly seq: number;
  /** 1 on the first delivery, 2+ on redeliveries. */
  readonly deliveryCount: number;
  /** The durable's real max deliver (another replica may have set it); Infinity when unlimited. */
  readonly maxDeliver: number;
  /** The durable's real ack wait: NATS redelivers the message this long after a delivery (or a working()) unless it hears back. */
  readonly ackWaitMs: number;
  /** Done: NATS forgets the message for this durable. */
  ack(): void;
  /** Not done: redeliver it, after `delayMs` (at once when omitted). */
  nak(delayMs?: number): void;
  /** Give up on it for good (no more deliveries), and publish a copy with `reason` to the dead-letter subject. */
  term(reason: string): void;
  /** Still working on it: restarts the ack wait, so a slow handler's message is not redelivered meanwhile. */
  working(): void;
  /**
   * A delay to nak with after `error`: the one the error asks for (a held
   * idempotency claim carries `retryAfterMs`), else one that grows with the
   * delivery count (1 s, 2 s, 4 s... at most 30 s).
   */
  retryDelayMs(error: unknown): number;
}

/**
 * The service's delivery contract: runs `handle()` (the @EventPattern
 * handler, rejected after the handler deadline) and answers NATS. The server
 * awaits it; a throw from it is logged, and the message, unanswered, comes
 * back after the ack wait.
 */
export type Settle = (delivery: Delivery, handle: () => Promise<void>) => Promise<void>;

type Log = (message: string) => void;

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/** The delay before the n-th redelivery: base, 2 x base, 4 x base, ... capped at maxMs. */
export function backoffMs(deliveryCount: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
}

export interface DeliverySettings {
  nc: NatsConnection;
  maxDeliver: number;
  ackWaitMs: number;
  deadLetterSubject: string;
  /** The first nak delay of retryDelayMs (default 1000 ms); it doubles per delivery. */
  baseDelayMs?: number;
  log: Log;
}

export function deliveryOf(msg: JsMsg, settings: DeliverySettings): Delivery {
  const { nc, log } = settings;
  let settled: string | undefined;
  const reply = (what: string, action: () => void, settles: boolean): void => {
    if (settled) {
      if (settles) log(`${what} of stream seq ${msg.seq} ignored: it was already ${settled}`);
      return;
    }
    if (settles) settled = what;
    try {
      action();
    } catch (error) {
      log(`${what} of stream seq ${msg.seq} failed (${describe(error)}): it will be redelivered`);
    }
  };
  return {
    subject: msg.subject,
    seq: msg.seq,
    deliveryCount: msg.info.deliveryCount,
    maxDeliver: settings.maxDeliver > 0 ? settings.maxDeliver : Infinity,
    ackWaitMs: settings.ackWaitMs,
    ack: () => reply('ack', () => msg.ack(), true),
    nak: (delayMs) => reply('nak', () => msg.nak(delayMs), true),
    working: () => reply('working()', () => msg.working(), false),
    term: (reason) =>
      reply(
        'term',
        () => {
          // term() without a reason: NATS 2.9 does not know `+TERM <reason>`; the reason travels in the copy.
          msg.term();
          deadLetter(nc, msg, settings.deadLetterSubject, reason, log);
        },
        true,
      ),
    retryDelayMs: (error) => {
      const asked = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
      if (typeof asked === 'number' && asked >= 0) return asked;
      return backoffMs(msg.info.deliveryCount, settings.baseDelayMs ?? BASE_DELAY_MS, MAX_DELAY_MS);
    },
  };
}

/** Publishes a copy of `msg` (with why, and where from) on `subject`. */
export function deadLetter(nc: NatsConnection, msg: JsMsg, subject: string, reason: string, log: Log): void {
  const h = headers();
  h.set('Workshop-Dead-Letter-Reason', reason);
  h.set('Workshop-Stream', msg.info.stream);
  h.set('Workshop-Stream-Seq', String(msg.seq));
  h.set('Workshop-Subject', msg.subject);
  try {
    nc.publish(subject, msg.data, { headers: h });
  } catch (error) {
    log(`dead-letter publish of stream seq ${msg.seq} failed: ${describe(error)}`);
  }
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

/**
 * The delivery contract of a JetStream durable, one small function per
 * promise. Each one survives a closed connection: ack/nak/working throw once
 * the connection is gone, and a throw inside a timer would be an uncaught
 * exception; the broker redelivers whatever was not acked anyway.
 *
 * - ackAfterWork: ack only once the handler's work is done;
 * - keepWorking: while a slow handler runs, tell NATS "in progress" every half
 *   ack wait (the durable's real ack wait), so it is not redelivered;
 * - retryLater: a failed delivery is nak'ed with a growing delay;
 * - giveUp: the last allowed delivery failed: terminate it (no more
 *   redeliveries) and publish a copy to the dead-letter subject.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';

type Log = (message: string) => void;

function safely(what: string, msg: JsMsg, action: () => void, log: Log): boolean {
  try {
    action();
    return true;
  } catch (error) {
    log(
      `${what} of stream seq ${msg.seq} failed (${error instanceof Error ? error.message : String(error)}): it will be redelivered`,
    );
    return false;
  }
}

export function ackAfterWork(msg: JsMsg, log: Log): boolean {
  return safely('ack', msg, () => msg.ack(), log);
}

/** Sends working() every periodMs() (read each time: the durable's ack wait can change); returns the stop. */
export function keepWorking(msg: JsMsg, periodMs: () => number, log: Log): () => void {
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (!safely('working()', msg, () => msg.working(), log)) return;
    timer = setTimeout(tick, periodMs());
  };
  timer = setTimeout(tick, periodMs());
  return () => clearTimeout(timer);
}

/** The delay before the n-th redelivery: base, 2 x base, 4 x base, ... capped at maxMs. */
export function backoffMs(deliveryCount: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, deliveryCount - 1));
}

export function retryLater(msg: JsMsg, delayMs: number, log: Log): void {
  safely('nak', msg, () => msg.nak(delayMs), log);
}

/** Terminates the message and publishes a copy (with why, where from) on `subject`. */
export function giveUp(nc: NatsConnection, msg: JsMsg, subject: string, reason: string, log: Log): void {
  // term() without a reason: NATS 2.9 does not know `+TERM <reason>`; the reason travels in the copy.
  safely('term', msg, () => msg.term(), log);
  const h = headers();
  h.set('Workshop-Dead-Letter-Reason', reason);
  h.set('Workshop-Stream', msg.info.stream);
  h.set('Workshop-Stream-Seq', String(msg.seq));
  h.set('Workshop-Subject', msg.subject);
  try {
    nc.publish(subject, msg.data, { headers: h });
  } catch (error) {
    log(
      `dead-letter publish of stream seq ${msg.seq} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

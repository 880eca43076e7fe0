/**
 * How a replica answers NATS for each event: the ack only once the work is
 * done, so a replica that dies mid-send leaves the event to be redelivered.
 */
import type { Settle } from '../jetstream/index.js';

export const settleAfterWork: Settle = async (delivery, handle) => {
  // A send slower than the ack wait must not be redelivered meanwhile: say "still working" twice per ack wait.
  const heartbeat = setInterval(() => delivery.working(), delivery.ackWaitMs / 2);
  try {
    await handle();
    delivery.ack();
  } catch (error) {
    if (delivery.deliveryCount >= delivery.maxDeliver) {
      delivery.term(
        `failed ${delivery.deliveryCount} deliveries: ${error instanceof Error ? error.message : String(error)}`,
      );
    } else {
      delivery.nak(delivery.retryDelayMs(error));
    }
  } finally {
    clearInterval(heartbeat);
  }
};

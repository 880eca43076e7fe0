/**
 * How a replica answers NATS for each event: the ack only once the work is
 * done, so a replica that dies mid-send leaves the event to be redelivered.
 */
import type { Settle } from '../jetstream/index.js';

export const settleAfterWork: Settle = async (delivery, handle) => {
  // TODO: acknowledge the event only once its work is done.
  // TODO: when the work fails, have it redelivered after a delay, or, if that was its last allowed delivery, give up on it.
  // TODO: while the work runs (a slow send), keep telling NATS it is in progress, so it is not redelivered meanwhile;
  // stop once the event is answered.
  await handle();
};

/**
 * Readiness of the event consumers whatever the learner chose: subscribers
 * (Redis pub/sub, NATS core), JetStream durables, or Redis Streams consumer
 * groups. A chaos check must run on the starter too, to show what it loses.
 */
import { USER_CREATED } from '../../../services/shared/src/events';
import { jetStreamConsumers } from './chaos';
import type { BackingEndpoints } from '../runtime/backing';
import { natsSubscriptions, redisSubscribers } from '../runtime/subscriptions';
import { waitFor } from '../runtime/wait';
import { StreamsProbe } from './streams-probe';
import { progress } from '../cli/progress';

/** How the consumers of user.created listen, as seen on the broker right now (undefined: not yet). */
async function consumersReady(endpoints: BackingEndpoints, replicas: number): Promise<string | undefined> {
  if (endpoints.natsMonitorUrl) {
    // Durables, whatever the learner named them and however many: a replica announces itself ready only once
    // its durable is bound, and the fleet waited for every ready line. Fewer than one per service (a durable two
    // services share, a service left on core NATS) is for the checks to report, not a start that never ends.
    const durables = new Set((await jetStreamConsumers(endpoints.natsMonitorUrl)).map((c) => c.durable));
    if (durables.size >= 1) return 'JetStream durables';
    if ((await natsSubscriptions(endpoints.natsMonitorUrl, USER_CREATED)).length >= replicas)
      return 'NATS subscriptions';
  }
  if (endpoints.redisUrl) {
    if ((await redisSubscribers(endpoints.redisUrl, USER_CREATED)) >= replicas) return 'Redis pub/sub subscriptions';
    const probe = await StreamsProbe.connect(endpoints.redisUrl);
    try {
      // Consumer groups on the stream, whatever the learner named them.
      const groups = await probe.groups(USER_CREATED);
      if (groups.reduce((n, g) => n + g.consumers, 0) >= replicas) return 'Redis Streams consumer groups';
    } finally {
      await probe.close();
    }
  }
  return undefined;
}

export async function waitForConsumers(endpoints: BackingEndpoints, replicas: number): Promise<string> {
  const how = await waitFor(() => consumersReady(endpoints, replicas), {
    what: `the mail and push replicas to consume "${USER_CREATED}" (a subscription, a JetStream durable or a stream consumer group)`,
    timeoutMs: 15_000,
  });
  progress(`${replicas} replica(s) consume ${USER_CREATED} (${how})`);
  return how;
}

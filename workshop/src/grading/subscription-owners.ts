/**
 * Which replica holds which NATS subscription on a subject, so that a check
 * can name the replica whose queue group is wrong. NATS's monitoring port
 * lists subscriptions by connection id, and a learner's connection carries no
 * name that says whose it is: so each replica is stopped in turn (gracefully:
 * its connection closes, its subscriptions go with it), and the connections
 * that went are its own. The stopped replicas are started again, and this
 * returns once the broker holds as many subscriptions on the subject as
 * before, so the checks after it see the same system.
 */
import { natsConnectionIds as connectionIds, natsSubscriptions as subscriptions } from '../runtime/subscriptions';
import type { ServiceName } from '../runtime/topology';
import { waitFor, WaitTimeoutError } from '../runtime/wait';
import type { LiveSystem } from './live';

export interface ReplicaSubscriptions {
  replica: string;
  service: ServiceName;
  /** The queue group of each of its subscriptions on the subject ('' for none); empty when it holds none. */
  queues: string[];
}

/** How long a stopped replica's connection may take to leave the broker's list; past that, it had none. */
const CONNECTION_GONE_MS = 3_000;

/**
 * For each running replica of `services` (in the fleet's order), the queue
 * groups of its subscriptions on `subject`. Undefined when NATS is not
 * running (the system is not on NATS) or on a deployed stack.
 */
export async function subscriptionsByReplica(
  system: LiveSystem,
  subject: string,
  services: readonly ServiceName[],
): Promise<ReplicaSubscriptions[] | undefined> {
  const monitor = system.backing.endpoints.natsMonitorUrl;
  if (system.target !== 'local' || !monitor) return undefined;
  const replicas = system.fleet.list().filter((r) => services.includes(r.service) && r.process?.running);
  const subs = await subscriptions(monitor, subject);
  const owners: ReplicaSubscriptions[] = [];
  const stopped: string[] = [];
  try {
    for (const replica of replicas) {
      const before = await connectionIds(monitor);
      await system.fleet.stopReplica(replica.id);
      stopped.push(replica.id);
      const gone = await waitFor(
        async () => {
          const now = await connectionIds(monitor);
          const left = [...before].filter((cid) => !now.has(cid));
          return left.length > 0 && new Set(left);
        },
        { what: `${replica.id}'s connection to leave NATS`, timeoutMs: CONNECTION_GONE_MS },
      ).catch((error: unknown) => {
        if (error instanceof WaitTimeoutError) return new Set<number>(); // it had no NATS connection
        throw error;
      });
      owners.push({
        replica: replica.id,
        service: replica.service,
        queues: subs.filter((s) => gone.has(s.cid)).map((s) => s.queue),
      });
    }
  } finally {
    await Promise.all(stopped.map((id) => system.fleet.startReplica(id, { waitForBroker: false })));
    await waitFor(async () => (await subscriptions(monitor, subject)).length >= subs.length, {
      what: `the ${subs.length} subscription(s) on "${subject}" back after the restart of ${stopped.join(', ')}`,
      timeoutMs: 15_000,
    });
  }
  return owners;
}

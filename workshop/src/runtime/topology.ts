/** What to run: which brokers, and how many replicas of each service. */
export const SERVICE_NAMES = ['gateway', 'user', 'mail', 'push'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The services that consume `user.created`, and so must each get every event once. */
export const CONSUMERS = ['mail', 'push'] as const satisfies readonly ServiceName[];

export type Transport = 'redis' | 'nats';

/** The backing services a host name in a declared env can point at. */
export type BackingKind = 'redis' | 'nats' | 'maildev' | 'push-sink';

/** A replica as the plan (the learner's Pulumi program) declares it. */
export interface DeclaredReplica {
  id: string;
  /** Its environment as declared, with in-network host names (redis://redis:6379). */
  env: Record<string, string>;
}

export interface Topology {
  /** The broker the services talk through. */
  transport: Transport;
  /**
   * The brokers to start, and whose URL (REDIS_URL, NATS_URL) each replica
   * gets. Default: just the transport. Step 5 adds Redis beside NATS as the
   * idempotency store.
   */
  brokers?: Transport[];
  replicas: Record<ServiceName, number>;
  /** Extra environment per service, e.g. to try a misconfiguration. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /**
   * Wait until every consumer replica is subscribed to user.created on the
   * broker before saying "ready" (default true). Off for consumers that pull
   * (JetStream, Redis Streams) and so hold no subscription to count.
   */
  waitForSubscriptions?: boolean;
  /**
   * Set when a plan drives the run: the declared replicas of each service
   * (ids and env) replace the generated ones, and `aliases` says which
   * backing service each network alias stands for, so that the runtime can
   * point `redis://redis:6379` at the local Redis on its loopback port.
   */
  declared?: Partial<Record<ServiceName, DeclaredReplica[]>>;
  aliases?: Record<string, BackingKind>;
}

export function topology(transport: Transport, mail = 1, push = 1): Topology {
  return { transport, replicas: { gateway: 1, user: 1, mail, push } };
}

export function replicaId(service: ServiceName, index: number): string {
  return `${service}-${index + 1}`;
}

export function brokersOf(t: Topology): Transport[] {
  return t.brokers ?? [t.transport];
}

/**
 * What to run: which brokers, and each service's replicas with their env as
 * a deployment declares it (in-network host names such as redis://redis:6379).
 * A plan (the learner's Pulumi program) gives one; `topology()` makes one
 * by hand in the same shape; the runtime points the host names at loopback.
 */
import type { Served } from './addresses';
import { BROKER_KINDS, BROKERS, type BrokerKind } from './brokers';

export const SERVICE_NAMES = ['gateway', 'user', 'mail', 'push'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The services that consume `user.created`, and so must each get every event once. */
export const CONSUMERS = ['mail', 'push'] as const satisfies readonly ServiceName[];

/** The broker the services talk through (JetStream is NATS). */
export type Transport = BrokerKind;

/** The backing services a host name in a declared env can point at. */
export type BackingKind = BrokerKind | 'maildev' | 'push-sink';

/** A replica as declared: its id and its environment, with in-network host names. */
export interface DeclaredReplica {
  id: string;
  env: Record<string, string>;
}

export interface Topology {
  /** The broker the services talk through. */
  transport: Transport;
  /** The brokers to start, the transport first (step 5 adds Redis beside NATS as the idempotency store). */
  brokers: Transport[];
  /** Each service's replicas, in order. */
  replicas: Record<ServiceName, DeclaredReplica[]>;
  /** Which backing service each host name stands for (redis -> the local Redis on its loopback port). */
  aliases: Record<string, BackingKind>;
  /**
   * What the container behind each of those host names serves, as declared
   * (scheme -> port): the runtime refuses a URL whose scheme or port that
   * container does not listen on, instead of pointing it at its own port.
   */
  listens?: Record<string, Served>;
  /**
   * Wait until every consumer replica is subscribed to user.created on the
   * broker before saying "ready" (default true). Off for consumers that pull
   * (JetStream, Redis Streams) and so hold no subscription to count.
   */
  waitForSubscriptions?: boolean;
}

/** The host names of a hand-made topology: each backing service's own name, as the workshop's program declares them. */
const ALIASES: Record<string, BackingKind> = {
  ...Object.fromEntries(BROKER_KINDS.map((kind) => [BROKERS[kind].alias, kind])),
  maildev: 'maildev',
  'push-sink': 'push-sink',
};

/** Each service's own env, as the workshop's Pulumi program declares it. */
const OWN_ENV: Record<ServiceName, Record<string, string>> = {
  gateway: { PORT: '3000' },
  user: {},
  mail: { SMTP_URL: 'smtp://maildev:1025' },
  push: { PUSH_SINK_URL: 'http://push-sink:8080' },
};

/** A topology by hand: one gateway and user, `mail` and `push` replicas, every service on `brokers` (default: the transport). */
export function topology(transport: Transport, mail = 1, push = 1, brokers: Transport[] = [transport]): Topology {
  const brokerEnv = Object.fromEntries(
    brokers.flatMap((kind) => {
      const { envName, token } = BROKERS[kind];
      // The token's value is the stack's secret; the runtime gives the one of the broker it starts.
      return [[envName, brokerUrl(kind)], ...(token ? [[token.envName, 'the-stack-secret']] : [])];
    }),
  );
  const counts: Record<ServiceName, number> = { gateway: 1, user: 1, mail, push };
  const replicas = Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      service,
      Array.from({ length: counts[service] }, (_, i) => ({
        id: `${service}-${i + 1}`,
        env: { ...brokerEnv, ...OWN_ENV[service] },
      })),
    ]),
  ) as Topology['replicas'];
  return { transport, brokers, replicas, aliases: ALIASES };
}

/** A broker's URL inside the network, e.g. nats://nats:4222. */
function brokerUrl(kind: BrokerKind): string {
  const { scheme, alias, port } = BROKERS[kind];
  return `${scheme}://${alias}:${port}`;
}

/**
 * The same topology with extra env for some replicas, keyed by service
 * (`mail`: every mail replica) or by replica id (`mail-1`: that one only,
 * applied after its service's).
 */
export function withEnv(t: Topology, extra: Record<string, Record<string, string>>): Topology {
  const known = new Set([...SERVICE_NAMES, ...SERVICE_NAMES.flatMap((s) => t.replicas[s].map((r) => r.id))]);
  const unknown = Object.keys(extra).filter((key) => !known.has(key));
  if (unknown.length) throw new Error(`withEnv: no service or replica named ${unknown.join(', ')}`);
  const replicas = Object.fromEntries(
    SERVICE_NAMES.map((service) => [
      service,
      t.replicas[service].map((r) => ({ id: r.id, env: { ...r.env, ...extra[service], ...extra[r.id] } })),
    ]),
  ) as Topology['replicas'];
  return { ...t, replicas };
}

/** How many replicas the topology runs of the consumers of user.created. */
export function consumerCount(t: Topology): number {
  return CONSUMERS.reduce((n, service) => n + t.replicas[service].length, 0);
}

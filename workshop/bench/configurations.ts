/**
 * What `npm run bench` and `npm run chaos` measure: the end of steps 2 to 6,
 * each with two mail and two push replicas, as the step's solution chain
 * lays it down (baseline + solutions 1..N).
 */
import { topology, withEnv, type Topology, type Transport } from '../src/runtime/topology';

export interface Configuration {
  /** Short key, used in the JSON and the chart. */
  key: string;
  /** What a learner reads in the table. */
  label: string;
  /** The step whose end is run. */
  step: number;
  topology: Topology;
}

/**
 * Short timeouts, so that a killed replica's events come back within seconds.
 * A Redis Streams entry is claimed by another consumer once idle this long,
 * even while its handler still runs (JetStream's server signals progress; this
 * one does not): it must exceed the slowest send on a busy machine, so 5 s
 * rather than the 1 s of step 6's check.
 */
const JETSTREAM_ENV = { JETSTREAM_ACK_WAIT_MS: '2000' };
const IDEMPOTENT_ENV = { ...JETSTREAM_ENV, IDEMPOTENCY_LEASE_MS: '3000' };
const STREAMS_ENV = { REDIS_STREAMS_CLAIM_IDLE_MS: '5000' };

function consumers(transport: Transport, env: Record<string, string>, brokers?: Transport[]): Topology {
  // Pull consumers (JetStream, Redis Streams) hold no subscription for the runtime to count.
  return { ...withEnv(topology(transport, 2, 2, brokers), { mail: env, push: env }), waitForSubscriptions: false };
}

export const CONFIGURATIONS: Configuration[] = [
  { key: 'redis-pubsub', label: 'Redis pub/sub', step: 2, topology: topology('redis', 2, 2) },
  { key: 'nats-queue', label: 'NATS queue groups', step: 3, topology: topology('nats', 2, 2) },
  { key: 'jetstream', label: 'JetStream', step: 4, topology: consumers('nats', JETSTREAM_ENV) },
  {
    key: 'jetstream-idempotent',
    label: 'JetStream + idempotent',
    step: 5,
    topology: consumers('nats', IDEMPOTENT_ENV, ['nats', 'redis']),
  },
  { key: 'redis-streams', label: 'Redis Streams', step: 6, topology: consumers('redis', STREAMS_ENV) },
];

/** The configurations named on the command line (by key), or all of them. */
export function chosen(keys: string[]): Configuration[] {
  if (keys.length === 0) return CONFIGURATIONS;
  const unknown = keys.filter((k) => !CONFIGURATIONS.some((c) => c.key === k));
  if (unknown.length > 0) {
    throw new Error(`no configuration ${unknown.join(', ')}: they are ${CONFIGURATIONS.map((c) => c.key).join(', ')}`);
  }
  return CONFIGURATIONS.filter((c) => keys.includes(c.key));
}

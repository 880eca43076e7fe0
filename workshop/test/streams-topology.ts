/**
 * The system of step 6 (bonus) as the local runtime runs it: Redis only,
 * mail and push replicas that pull from the stream, and an env per replica,
 * so that a check can, say, make mail-1 alone crash or go one event at a time.
 */
import type { BackingKind, DeclaredReplica, Topology } from '../src/runtime/topology';

export interface StreamsTopologyOptions {
  mail?: number;
  push?: number;
  /** Env for every mail and push replica (e.g. REDIS_STREAMS_CLAIM_IDLE_MS). */
  env?: Record<string, string>;
  /** Env for one replica, by id (e.g. { 'mail-1': { CHAOS_CRASH_AFTER_SEND: '5' } }). */
  replicaEnv?: Record<string, Record<string, string>>;
}

/** In-network host names, as a deployment would have them; the runtime points them at loopback ports. */
const ALIASES: Record<string, BackingKind> = { redis: 'redis', maildev: 'maildev', 'push-sink': 'push-sink' };
const OWN_ENV = {
  mail: { REDIS_URL: 'redis://redis:6379', SMTP_URL: 'smtp://maildev:1025' },
  push: { REDIS_URL: 'redis://redis:6379', PUSH_SINK_URL: 'http://push-sink:8080' },
};

export function streamsTopology({ mail = 2, push = 2, env = {}, replicaEnv = {} }: StreamsTopologyOptions): Topology {
  const declare = (service: 'mail' | 'push', count: number): DeclaredReplica[] =>
    Array.from({ length: count }, (_, i) => {
      const id = `${service}-${i + 1}`;
      return { id, env: { ...OWN_ENV[service], ...env, ...replicaEnv[id] } };
    });
  return {
    transport: 'redis',
    replicas: { gateway: 1, user: 1, mail, push },
    declared: { mail: declare('mail', mail), push: declare('push', push) },
    aliases: ALIASES,
    // Consumers pull from the stream: they hold no pub/sub subscription to count.
    waitForSubscriptions: false,
  };
}

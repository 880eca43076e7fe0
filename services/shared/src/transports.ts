/**
 * Where the brokers are, read from the environment. Each service's main.ts
 * writes its own transport options (that is the code the workshop is about);
 * these helpers only turn REDIS_URL / NATS_URL (and NATS_TOKEN) into what
 * those options take.
 */
import { ConfigError, portOf, requireUrl } from './env.js';

/**
 * Once a Redis connection drops, Nest's Redis transport reconnects only
 * `retryAttempts` times (none by default) and then gives up for good: a Redis
 * restart would leave the service deaf until it is restarted too. So: retry
 * every second, for as long as it takes.
 */
const REDIS_RETRY = { retryAttempts: Number.POSITIVE_INFINITY, retryDelay: 1_000 };

/** `{ host, port }` (and reconnection) for `Transport.REDIS`, from REDIS_URL (redis://host:port). */
export function redisConnection(): { host: string; port: number; retryAttempts: number; retryDelay: number } {
  const url = requireUrl('REDIS_URL', ['redis:']);
  return { host: url.hostname, port: portOf(url, 6379), ...REDIS_RETRY };
}

/** Where NATS is and how to prove the right to use it: the connection part of a NATS transport's options. */
export interface NatsConnection {
  servers: string[];
  /** The server's token (nats-server --auth): the client sends it when it connects. Absent: a server without auth. */
  token?: string;
}

/**
 * `servers` (from NATS_URL, nats://host:port) and `token` (from NATS_TOKEN)
 * for `Transport.NATS` and the JetStream transports. The NATS client takes a
 * token only as this option, never from the URL, hence the separate variable.
 */
export function natsConnection(env: Record<string, string | undefined> = process.env): NatsConnection {
  const url = requireUrl('NATS_URL', ['nats:'], env);
  const servers = [`nats://${url.hostname}:${portOf(url, 4222)}`];
  if (url.username || url.password) {
    throw new ConfigError(
      'NATS_URL must not carry credentials (the NATS client ignores them): put the token in NATS_TOKEN',
    );
  }
  const token = env.NATS_TOKEN?.trim();
  return token ? { servers, token } : { servers };
}

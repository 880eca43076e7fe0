/**
 * Where the brokers are, read from the environment. Each service's main.ts
 * writes its own transport options (that is the code the workshop is about);
 * these helpers only turn REDIS_URL / NATS_URL into what those options take.
 */
import { portOf, requireUrl } from './env.js';

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

/** `servers` for `Transport.NATS`, from NATS_URL (nats://host:port). */
export function natsServers(): string[] {
  const url = requireUrl('NATS_URL', ['nats:']);
  return [`nats://${url.hostname}:${portOf(url, 4222)}`];
}

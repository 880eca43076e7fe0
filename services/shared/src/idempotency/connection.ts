import { Redis } from 'ioredis';
import { requireUrl } from '../env.js';
import { onRedisError } from '../redis-errors.js';
import { logEvent } from '../replica.js';

/**
 * The guard's connection to REDIS_URL (redis://host:port): a command fails
 * after 2 reconnect attempts instead of waiting forever (the event is then
 * nak'ed and retried), and a connection error is one log line.
 */
export function redisFromEnv(log: (message: string) => void = logEvent): Redis {
  const url = requireUrl('REDIS_URL', ['redis:']);
  const redis = new Redis(url.toString(), { maxRetriesPerRequest: 2 });
  onRedisError(redis, 'idempotency store', log);
  return redis;
}

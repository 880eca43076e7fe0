import type { Redis } from 'ioredis';
import { logEvent } from './replica.js';

/**
 * One log line per Redis connection error (ioredis without an 'error' listener
 * prints a stack trace on every reconnect attempt); the same error again is
 * not repeated until the connection is back.
 */
export function onRedisError(redis: Redis, what: string, log: (message: string) => void = logEvent): void {
  let last: string | undefined;
  redis.on('error', (error: Error) => {
    if (error.message === last) return;
    last = error.message;
    log(`${what}: redis: ${error.message} (reconnecting)`);
  });
  redis.on('ready', () => (last = undefined));
}

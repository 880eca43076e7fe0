/**
 * A consumer's failed send, logged as one line and rethrown as an error the
 * transport understands. Nest's RPC exception filter prints any other error
 * as a multi-line stack trace; an RpcException it passes on as
 * { status, message }, which JetStream and Redis Streams read to nak or
 * leave the event pending (so it comes back), and core NATS or Redis
 * pub/sub drop (at most once).
 */
import { RpcException } from '@nestjs/microservices';
import { logEvent } from './replica.js';

/** Logs "<what> for event <id> failed: <cause>" (the replica id in front) and returns the error to throw. */
export function sendFailed(what: string, eventId: string, error: unknown): RpcException {
  const message = `${what} for event ${eventId} failed: ${causeOf(error)}`;
  logEvent(message);
  return new RpcException({ status: 'error', message });
}

/** The cause on one line: the error's code (ETIMEDOUT, ECONNREFUSED...) and first line of its message. */
export function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split('\n')[0];
  const code = (error as { code?: unknown }).code;
  const first = error.message.split('\n')[0];
  return typeof code === 'string' && !first.includes(code) ? `${code} ${first}` : first;
}

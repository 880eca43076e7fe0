/**
 * What every replica does the same way: know its id, log one line per
 * handled event, say when it is ready, stop cleanly, and fail to start with
 * one readable line.
 */
import { ConfigError, requireString } from './env.js';

/** The replica's id (REPLICA_ID, e.g. "mail-2"): in logs, mail headers and pushes. */
export function replicaId(): string {
  return requireString('REPLICA_ID');
}

export function logEvent(message: string): void {
  console.log(`[${process.env.REPLICA_ID ?? '?'}] ${message}`);
}

/** The line the local runtime and the Docker healthcheck wait for. */
export function announceReady(detail: string): void {
  console.log(`[${process.env.REPLICA_ID ?? '?'}] ready: ${detail}`);
}

/** Runs the bootstrap; on failure prints one line (no stack for config errors) and exits 1. */
export function run(bootstrap: () => Promise<void>): void {
  bootstrap().catch((error: unknown) => {
    const who = process.env.REPLICA_ID ?? 'service';
    if (error instanceof ConfigError) {
      console.error(`[${who}] cannot start: ${error.message}`);
    } else if (error instanceof Error && error.name === 'AuthorizationError') {
      // The NATS client's error when the server refuses the token it got (or none): the fix is in the options, not in a stack.
      console.error(
        `[${who}] cannot start: NATS refused the connection (${error.message}): the server requires a token, ` +
          'and the NATS options (beside servers) must carry the one the stack gives in NATS_TOKEN',
      );
    } else {
      console.error(`[${who}] cannot start:`, error);
    }
    process.exit(1);
  });
}

/**
 * WORKSHOP TEST HOOKS: fault injection for the graders. Off unless an env
 * variable turns it on; never set these in a real deployment.
 *
 * Called by JetStreamServer around each event it hands to a handler:
 *
 * - CHAOS_HANDLER_DELAY_MS=<ms>: wait this long before running the handler,
 *   so a replica always holds some in-flight work when a test kills it.
 * - CHAOS_CRASH_AFTER_SEND=<n>: right after the n-th event whose handler
 *   succeeded (the email or push is out) and BEFORE its ack, the replica
 *   SIGKILLs itself: the classic "done but not acknowledged" crash that makes
 *   the broker redeliver work that was already done.
 * - CHAOS_CRASH_REPLICAS=<id,id>: only these replicas crash (default: all).
 * - CHAOS_STATE_DIR=<dir>: a replica crashes at most once per folder (it
 *   leaves <dir>/<REPLICA_ID>.crashed), so that its restart, which gets the
 *   same env, runs normally.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let handled = 0;

function positiveInt(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** CHAOS_HANDLER_DELAY_MS: resolves after the configured delay (at once when unset). */
export async function chaosDelay(): Promise<void> {
  const ms = positiveInt('CHAOS_HANDLER_DELAY_MS');
  if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
}

/** CHAOS_CRASH_AFTER_SEND: call after a handler succeeded, before the ack. May not return. */
export function chaosAfterSend(): void {
  const after = positiveInt('CHAOS_CRASH_AFTER_SEND');
  if (!after) return;
  handled += 1;
  if (handled !== after) return;
  const replica = process.env.REPLICA_ID ?? '';
  const only = process.env.CHAOS_CRASH_REPLICAS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (only?.length && !only.includes(replica)) return;
  const dir = process.env.CHAOS_STATE_DIR?.trim();
  if (dir) {
    const marker = join(dir, `${replica || process.pid}.crashed`);
    if (existsSync(marker)) return;
    writeFileSync(marker, `${new Date().toISOString()} after ${after} sends\n`);
  }
  console.log(`[${replica}] chaos: crashing after send #${after}, before its ack (CHAOS_CRASH_AFTER_SEND)`);
  process.kill(process.pid, 'SIGKILL');
}

/**
 * WORKSHOP TEST HOOKS: fault injection for the graders. Off unless an env
 * variable turns it on; never set these in a real deployment.
 *
 * Called by the transports around each event they hand to a handler
 * (JetStreamServer uses chaosDelay and chaosBeforeAck):
 *
 * - CHAOS_HANDLER_DELAY_MS=<ms>: wait this long before running the handler,
 *   so a replica always holds some in-flight work when a test kills it.
 * - CHAOS_CRASH_AFTER_SEND=<n>: right after the n-th event whose handler
 *   succeeded (the email or push is out), the replica stops acking: that
 *   event, and every other one it finishes from then on, stays unacked; once
 *   the work in flight had CHAOS_CRASH_GRACE_MS (default 1000) to finish, the
 *   replica SIGKILLs itself. The classic "done but not acknowledged" crash,
 *   made exact: every event the replica left unacked was fully handled, so
 *   the broker redelivers only work that was already done (a bare SIGKILL
 *   could also land in the middle of another event's send).
 * - CHAOS_CRASH_REPLICAS=<id,id>: only these replicas crash (default: all).
 * - CHAOS_STATE_DIR=<dir>: a replica crashes at most once per folder (it
 *   leaves <dir>/<REPLICA_ID>.crashed), so that its restart, which gets the
 *   same env, runs normally.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let handled = 0;
let crashing: Promise<void> | undefined;

function positiveInt(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/**
 * CHAOS_HANDLER_DELAY_MS: resolves after the configured delay (at once when
 * unset). Never resolves once the replica is crashing (CHAOS_CRASH_AFTER_SEND).
 */
export async function chaosDelay(): Promise<void> {
  if (crashing) return crashing; // crashing: start no new work, so none is cut mid-send by the SIGKILL
  const ms = positiveInt('CHAOS_HANDLER_DELAY_MS');
  if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Counts a successful send; true when this is the one CHAOS_CRASH_AFTER_SEND says to crash after. */
function crashDue(): boolean {
  const after = positiveInt('CHAOS_CRASH_AFTER_SEND');
  if (!after) return false;
  handled += 1;
  if (handled !== after) return false;
  const replica = process.env.REPLICA_ID ?? '';
  const only = process.env.CHAOS_CRASH_REPLICAS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (only?.length && !only.includes(replica)) return false;
  const dir = process.env.CHAOS_STATE_DIR?.trim();
  if (dir) {
    const marker = join(dir, `${replica || process.pid}.crashed`);
    if (existsSync(marker)) return false;
    writeFileSync(marker, `${new Date().toISOString()} after ${after} sends\n`);
  }
  return true;
}

/**
 * CHAOS_CRASH_AFTER_SEND: await it after a handler succeeded, before the ack.
 * Resolves at once, unless this replica is crashing: then it never resolves,
 * and the replica SIGKILLs itself CHAOS_CRASH_GRACE_MS later.
 */
export function chaosBeforeAck(): Promise<void> {
  if (crashing) return crashing;
  if (!crashDue()) return Promise.resolve();
  const graceMs = positiveInt('CHAOS_CRASH_GRACE_MS') ?? 1_000;
  log(`chaos: send #${handled} done; no more acks, SIGKILL in ${graceMs} ms (CHAOS_CRASH_AFTER_SEND)`);
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs);
  crashing = new Promise<void>(() => undefined);
  return crashing;
}

/**
 * CHAOS_CRASH_AFTER_SEND, the blunt form: call it after a handler succeeded,
 * before the ack; on the n-th send it SIGKILLs the replica at once (other
 * events in flight die wherever they are). Prefer chaosBeforeAck.
 */
export function chaosAfterSend(): void {
  if (!crashDue()) return;
  log(`chaos: crashing after send #${handled}, before its ack (CHAOS_CRASH_AFTER_SEND)`);
  process.kill(process.pid, 'SIGKILL');
}

function log(message: string): void {
  console.log(`[${process.env.REPLICA_ID ?? '?'}] ${message}`);
}

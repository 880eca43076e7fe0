/**
 * WORKSHOP TEST HOOKS: fault injection for the graders. Off unless an env
 * variable turns it on; never set these in a real deployment.
 *
 * The CHAOS_* variables are read ONCE, when the first transport of the process
 * is built (chaosFromEnv): a mistyped value stops the replica at start-up with
 * one line, instead of failing every event. Each transport takes the hooks as
 * its `chaos` option (default: these env-parsed ones), so a test can inject its own.
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
 * - CHAOS_CRASH_AFTER_READ=<n>: when the n-th event is about to be handled
 *   (read from the broker, its handler not started), the replica starts no
 *   more handlers: that event, and every one it reads from then on, is held
 *   unhandled; work already running finishes (and acks) normally; after
 *   CHAOS_CRASH_GRACE_MS the replica SIGKILLs itself. The "read but never
 *   handled" crash: the events it held were never worked on, so only a
 *   consumer that takes them over (or an ack before the work) decides
 *   whether they are served or lost.
 * - CHAOS_FAIL_EVENT=<n>: the n-th event this replica is about to handle
 *   fails once, before its handler runs, as a refused send would: the
 *   transport must leave it unacked, for a redelivery to run it again.
 * - CHAOS_CRASH_REPLICAS=<id,id>: only these replicas crash (default: all).
 * - CHAOS_STATE_DIR=<dir>: a replica crashes at most once per folder (it
 *   leaves <dir>/<REPLICA_ID>.crashed), so that its restart, which gets the
 *   same env, runs normally.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './env.js';

/** What a transport calls around each event it hands to a handler. */
export interface ChaosHooks {
  /**
   * Before the handler: resolves after CHAOS_HANDLER_DELAY_MS (at once when
   * unset). Never resolves once the replica is crashing: it starts no new work,
   * so the SIGKILL after the grace never cuts a send in half.
   */
  beforeHandler(): Promise<void>;
  /**
   * After the handler succeeded, before the ack. Resolves at once, unless this
   * replica is crashing: then it never resolves, and the replica is SIGKILLed
   * CHAOS_CRASH_GRACE_MS later.
   */
  beforeAck(): Promise<void>;
}

export interface ChaosSettings {
  handlerDelayMs?: number;
  crashAfterSend?: number;
  crashAfterRead?: number;
  failEvent?: number;
  crashGraceMs: number;
  crashReplicas?: string[];
  stateDir?: string;
  replica: string;
}

type Env = Record<string, string | undefined>;

function wholeNumber(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** Reads and validates the CHAOS_* variables; throws a ConfigError naming a malformed one. */
export function parseChaos(env: Env = process.env): ChaosSettings {
  const only = env.CHAOS_CRASH_REPLICAS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    handlerDelayMs: wholeNumber(env, 'CHAOS_HANDLER_DELAY_MS') || undefined,
    crashAfterSend: wholeNumber(env, 'CHAOS_CRASH_AFTER_SEND') || undefined,
    crashAfterRead: wholeNumber(env, 'CHAOS_CRASH_AFTER_READ') || undefined,
    failEvent: wholeNumber(env, 'CHAOS_FAIL_EVENT') || undefined,
    crashGraceMs: wholeNumber(env, 'CHAOS_CRASH_GRACE_MS') ?? 1_000,
    crashReplicas: only?.length ? only : undefined,
    stateDir: env.CHAOS_STATE_DIR?.trim() || undefined,
    replica: env.REPLICA_ID ?? '',
  };
}

/** Hooks that do what `settings` say; no-ops when nothing is set. */
export function chaosHooks(settings: ChaosSettings): ChaosHooks {
  let handled = 0;
  let crashing: Promise<void> | undefined;
  let read = 0;
  let holding: Promise<void> | undefined; // CHAOS_CRASH_AFTER_READ: no new handler runs, acks go on
  let started = 0; // events about to be handled, for CHAOS_FAIL_EVENT
  const log = (message: string) => console.log(`[${settings.replica || '?'}] ${message}`);

  /** Counts a successful send; true when this is the one CHAOS_CRASH_AFTER_SEND says to crash after. */
  const crashDue = (): boolean => {
    const after = settings.crashAfterSend;
    if (!after) return false;
    handled += 1;
    if (handled !== after) return false;
    return mayCrash(after);
  };

  /** Counts an event about to be handled; true when this is the one CHAOS_CRASH_AFTER_READ says to hold. */
  const holdDue = (): boolean => {
    const after = settings.crashAfterRead;
    if (!after) return false;
    read += 1;
    return read === after && mayCrash(after);
  };

  /** This replica may crash now (it is one of CHAOS_CRASH_REPLICAS, and has not crashed in CHAOS_STATE_DIR yet). */
  const mayCrash = (after: number): boolean => {
    if (settings.crashReplicas && !settings.crashReplicas.includes(settings.replica)) return false;
    if (settings.stateDir) {
      const marker = join(settings.stateDir, `${settings.replica || process.pid}.crashed`);
      if (existsSync(marker)) return false;
      writeFileSync(marker, `${new Date().toISOString()} after ${after} events\n`);
    }
    return true;
  };

  return {
    async beforeHandler() {
      if (crashing) return crashing; // crashing: start no new work (a pooled send would outlive the grace)
      if (holding) return holding;
      if (holdDue()) {
        log(
          `chaos: event #${read} read; no more handlers, SIGKILL in ${settings.crashGraceMs} ms (CHAOS_CRASH_AFTER_READ)`,
        );
        setTimeout(() => process.kill(process.pid, 'SIGKILL'), settings.crashGraceMs);
        holding = new Promise<void>(() => undefined);
        return holding;
      }
      started += 1;
      if (started === settings.failEvent) {
        log(`chaos: event #${started} fails before its handler (CHAOS_FAIL_EVENT)`);
        throw new Error(`chaos: event #${started} failed on purpose (CHAOS_FAIL_EVENT)`);
      }
      const ms = settings.handlerDelayMs;
      if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
    },
    beforeAck() {
      if (crashing) return crashing;
      if (!crashDue()) return Promise.resolve();
      log(
        `chaos: send #${handled} done; no more acks, SIGKILL in ${settings.crashGraceMs} ms (CHAOS_CRASH_AFTER_SEND)`,
      );
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), settings.crashGraceMs);
      crashing = new Promise<void>(() => undefined);
      return crashing;
    },
  };
}

let fromEnv: ChaosHooks | undefined;

/** The process's hooks, from CHAOS_* (parsed on the first call, shared by every transport of the process). */
export function chaosFromEnv(): ChaosHooks {
  fromEnv ??= chaosHooks(parseChaos());
  return fromEnv;
}

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
 * - CHAOS_CRASH_BEFORE_SEND=<n>: the n-th send this replica starts never
 *   leaves: the service calls beforeSend() (chaosAroundSend) right before it
 *   hands the email or push to the provider, that is after any idempotency
 *   claim was taken. From then on the replica starts no new work and no new
 *   send; once the sends already under way ended, their handlers get
 *   CHAOS_CRASH_GRACE_MS to finish (record and ack), then the replica SIGKILLs itself. The crash
 *   "claimed but not sent", made exact: every event it leaves unacked was
 *   either never started or claimed and never sent, so a redelivery must send it.
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
 * - CHAOS_POISON_USER=<text>: every event whose user's email contains this
 *   text fails before its handler runs, on every delivery (a poison event):
 *   the transport must give up on it once its last allowed delivery failed.
 *   Such events do not count for CHAOS_FAIL_EVENT.
 * - CHAOS_CRASH_REPLICAS=<id,id>: only these replicas crash (default: all).
 * - CHAOS_STATE_DIR=<dir>: a replica crashes at most once per folder and
 *   kind of crash (it leaves <dir>/<REPLICA_ID>.crashed-after-send,
 *   .crashed-before-send or .crashed-after-read), so that its restart, which gets the same env, runs
 *   normally, or crashes the other way if both are set.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './env.js';

/** What a transport calls around each event it hands to a handler. */
export interface ChaosHooks {
  /**
   * Before the handler: resolves after CHAOS_HANDLER_DELAY_MS (at once when
   * unset). Never resolves once the replica is crashing: it starts no new work,
   * so the SIGKILL after the grace never cuts a send in half. `event` (the
   * decoded payload) lets CHAOS_POISON_USER pick its events.
   */
  beforeHandler(event?: unknown): Promise<void>;
  /**
   * After the handler succeeded, before the ack. Resolves at once, unless this
   * replica is crashing: then it never resolves, and the replica is SIGKILLed
   * CHAOS_CRASH_GRACE_MS later.
   */
  beforeAck(): Promise<void>;
  /**
   * Right before a send leaves (called by the service, not the transport).
   * Resolves at once, unless this replica is crashing: then it never resolves.
   * Optional, like afterSend: hooks made by hand for a transport test need not have them.
   */
  beforeSend?(): Promise<void>;
  /** Right after a send let through by beforeSend ended, sent or failed. */
  afterSend?(): void;
}

export interface ChaosSettings {
  handlerDelayMs?: number;
  crashAfterSend?: number;
  crashBeforeSend?: number;
  crashAfterRead?: number;
  failEvent?: number;
  poisonUser?: string;
  crashGraceMs: number;
  crashReplicas?: string[];
  stateDir?: string;
  replica: string;
}

type Env = Record<string, string | undefined>;

/** A crash waits this long at most for the sends under way to end (they have their own timeouts). */
const SEND_WAIT_MS = 15_000;

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
    crashBeforeSend: wholeNumber(env, 'CHAOS_CRASH_BEFORE_SEND') || undefined,
    crashAfterRead: wholeNumber(env, 'CHAOS_CRASH_AFTER_READ') || undefined,
    failEvent: wholeNumber(env, 'CHAOS_FAIL_EVENT') || undefined,
    poisonUser: env.CHAOS_POISON_USER?.trim() || undefined,
    crashGraceMs: wholeNumber(env, 'CHAOS_CRASH_GRACE_MS') ?? 1_000,
    crashReplicas: only?.length ? only : undefined,
    stateDir: env.CHAOS_STATE_DIR?.trim() || undefined,
    replica: env.REPLICA_ID ?? '',
  };
}

/** Hooks that do what `settings` say; no-ops when nothing is set. */
export function chaosHooks(settings: ChaosSettings): ChaosHooks {
  let handled = 0;
  let started = 0;
  /** Sends let through and not ended yet: a crash waits for them (a send cut in half could go either way). */
  let open = 0;
  let crashing: Promise<void> | undefined;
  let read = 0; // events about to be handled, for CHAOS_CRASH_AFTER_READ
  let holding: Promise<void> | undefined; // CHAOS_CRASH_AFTER_READ: no new handler runs, acks go on
  let toHandle = 0; // events about to be handled, for CHAOS_FAIL_EVENT
  const log = (message: string) => console.log(`[${settings.replica || '?'}] ${message}`);

  /** True when this replica may crash now: it is one of CHAOS_CRASH_REPLICAS, and has not crashed this way before. */
  const mayCrash = (kind: 'after-send' | 'before-send' | 'after-read', why: string): boolean => {
    if (settings.crashReplicas && !settings.crashReplicas.includes(settings.replica)) return false;
    if (settings.stateDir) {
      const marker = join(settings.stateDir, `${settings.replica || process.pid}.crashed-${kind}`);
      if (existsSync(marker)) return false;
      writeFileSync(marker, `${new Date().toISOString()} ${why}\n`);
    }
    return true;
  };

  /** Counts a successful send; true when this is the one CHAOS_CRASH_AFTER_SEND says to crash after. */
  const crashDue = (): boolean => {
    const after = settings.crashAfterSend;
    if (!after) return false;
    handled += 1;
    if (handled !== after) return false;
    return mayCrash('after-send', `after ${after} sends`);
  };

  /** Counts an event about to be handled; true when this is the one CHAOS_CRASH_AFTER_READ says to hold. */
  const holdDue = (): boolean => {
    const after = settings.crashAfterRead;
    if (!after) return false;
    read += 1;
    return read === after && mayCrash('after-read', `after ${after} events read`);
  };

  /**
   * Stops all new work, sends and acks for good; once the sends under way
   * ended (at most SEND_WAIT_MS), gives the handlers the grace to finish what
   * follows a send (recording it), then SIGKILLs the replica.
   */
  const crash = (why: string): Promise<void> => {
    log(`chaos: ${why}; SIGKILL ${settings.crashGraceMs} ms after the sends under way (${open}) ended`);
    const since = Date.now();
    const kill = () => setTimeout(() => process.kill(process.pid, 'SIGKILL'), settings.crashGraceMs);
    const poll = setInterval(() => {
      if (open > 0 && Date.now() - since < SEND_WAIT_MS) return;
      clearInterval(poll);
      kill();
    }, 20);
    crashing = new Promise<void>(() => undefined);
    return crashing;
  };

  return {
    async beforeHandler(event?: unknown) {
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
      const email = (event as { user?: { email?: unknown } } | undefined)?.user?.email;
      if (settings.poisonUser && typeof email === 'string' && email.includes(settings.poisonUser)) {
        log(`chaos: the event for ${email} fails before its handler, on every delivery (CHAOS_POISON_USER)`);
        throw new Error(`chaos: the event for ${email} failed on purpose (CHAOS_POISON_USER)`);
      }
      toHandle += 1;
      if (toHandle === settings.failEvent) {
        log(`chaos: event #${toHandle} fails before its handler (CHAOS_FAIL_EVENT)`);
        throw new Error(`chaos: event #${toHandle} failed on purpose (CHAOS_FAIL_EVENT)`);
      }
      const ms = settings.handlerDelayMs;
      if (ms) await new Promise((resolve) => setTimeout(resolve, ms));
    },
    beforeAck() {
      if (crashing) return crashing;
      if (!crashDue()) return Promise.resolve();
      return crash(`send #${handled} done; no more acks (CHAOS_CRASH_AFTER_SEND)`);
    },
    beforeSend() {
      if (crashing) return crashing;
      const at = settings.crashBeforeSend;
      if (at) started += 1;
      if (at && started === at && mayCrash('before-send', `before send ${at}`)) {
        return crash(`send #${started} claimed but held back, it never leaves (CHAOS_CRASH_BEFORE_SEND)`);
      }
      open += 1;
      return Promise.resolve();
    },
    afterSend() {
      open = Math.max(0, open - 1);
    },
  };
}

let fromEnv: ChaosHooks | undefined;

/** The process's hooks, from CHAOS_* (parsed on the first call, shared by every transport of the process). */
export function chaosFromEnv(): ChaosHooks {
  fromEnv ??= chaosHooks(parseChaos());
  return fromEnv;
}

/**
 * A service's send, between the process's beforeSend and afterSend hooks: it
 * never starts once the replica is crashing (CHAOS_CRASH_BEFORE_SEND, or
 * CHAOS_CRASH_AFTER_SEND fired), and a crash waits for it to end.
 */
export async function chaosAroundSend<T>(send: () => Promise<T>): Promise<T> {
  const hooks = chaosFromEnv();
  await hooks.beforeSend?.();
  try {
    return await send();
  } finally {
    hooks.afterSend?.();
  }
}

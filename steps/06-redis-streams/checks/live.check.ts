/**
 * Step 6 (bonus), live: on Redis alone, 2 mail + 2 push replicas and 200
 * users. mail-1 and push-1 are killed while they hold entries they read and
 * never started (and stay down), and the 3rd event of mail-2 and of push-2
 * fails once (a refused send). A live consumer of each group must take the
 * dead ones' entries over and run the failed ones again: every user gets one
 * email and one push, and each group's pending list drains. What Redis says about the stream's groups tells which
 * promise was broken when something is wrong.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GradeError,
  USER_CREATED,
  check,
  createUsers,
  describeReplicas,
  exactlyOnce,
  isRunning,
  onceEach,
  plannedTopology,
  settle,
  startSystem,
  story,
  streamDrained,
  streamGroups,
  waitFor,
  withEnv,
  withoutDelivery,
  type LiveSystem,
  type StreamGroupState,
  type StreamState,
  type Tally,
  type User,
} from '../../../workshop/src/grading';

const USERS = 200;
const SERVICES = ['mail', 'push'] as const;
const REPLICAS = 2;
const CRASHING = ['mail-1', 'push-1'];
/** What the crashing replicas are told: their 5th event is held unstarted, and so is all they read after it. */
const CRASH = {
  CHAOS_CRASH_AFTER_READ: '5',
  CHAOS_CRASH_REPLICAS: CRASHING.join(','),
  // Their running work has 2 s to finish (and be acked) before the SIGKILL: only unstarted entries are left.
  CHAOS_CRASH_GRACE_MS: '2000',
  // A few at a time, so that each holds a handful of read, unstarted entries when it dies.
  REDIS_STREAMS_CONCURRENCY: '3',
};
/** The live replicas' 3rd event fails once, before its handler: it must stay pending and run again. */
const FAIL_ONCE = { CHAOS_FAIL_EVENT: '3' };
/** A dead consumer's entries are claimable after 1 s (the server's claim idle time). */
const CLAIM_SOON = { REDIS_STREAMS_CLAIM_IDLE_MS: '1000' };
/** A consumer that has not asked Redis for anything for this long is not reading any more. */
const GONE_IDLE_MS = 5_000;
const FILES = 'services/shared/src/redis-streams/claim-and-ack.ts';
const MAINS = 'services/mail/src/main.ts and services/push/src/main.ts';
const ADVICE =
  'Publish user.created with XADD (user.module.ts); give each service one consumer group shared by its replicas; ' +
  `in ${FILES}, claim the entries a dead consumer left pending (XAUTOCLAIM past the idle time) and XACK each entry after its work.`;

let system: LiveSystem;
let chaosDir: string;

beforeAll(async () => {
  chaosDir = await mkdtemp(join(tmpdir(), 'workshop-chaos-'));
  const topology = await plannedTopology({ transport: 'redis', mailReplicas: REPLICAS, pushReplicas: REPLICAS });
  const crash = { ...CRASH, CHAOS_STATE_DIR: chaosDir }; // once: a restart would run normally
  system = await startSystem(
    {
      ...withEnv(topology, {
        mail: CLAIM_SOON,
        push: CLAIM_SOON,
        'mail-1': crash,
        'push-1': crash,
        'mail-2': FAIL_ONCE,
        'push-2': FAIL_ONCE,
      }),
      waitForSubscriptions: false, // consumers may pull from a stream: wait on whatever they use
    },
    'Step 6 runs on Redis alone (REDIS_URL): no NATS.',
    { chaos: true },
  );
});

afterAll(async () => {
  await system?.stop();
  await rm(chaosDir, { recursive: true, force: true });
});

test(`${USERS} users; mail-1 and push-1 die holding entries they read and never handled, a send fails once on mail-2 and push-2: live replicas take them over, one email and one push each, nothing left pending`, async () => {
  const users = await createUsers(system.gatewayUrl, USERS);
  // What each dying replica still had pending when it died: the entries it held unstarted are
  // there, unless it acknowledged them before their work. (A claim takes them only 1 s later.)
  const heldAtDeath = new Map<string, number>();
  await waitFor(
    async () => {
      for (const id of CRASHING) {
        if (heldAtDeath.has(id) || isRunning(system.fleet, id)) continue;
        const state = await streamGroups(system, USER_CREATED);
        const consumer = state?.groups.flatMap((g) => g.consumers).find((c) => c.name === id);
        if (consumer) heldAtDeath.set(id, consumer.pending);
      }
      return CRASHING.every((id) => !isRunning(system.fleet, id));
    },
    { what: 'mail-1 and push-1 to die (CHAOS_CRASH_AFTER_READ)', timeoutMs: 15_000 },
  ).catch(
    () => undefined, // a transport that never runs the fault hook (pub/sub) is graded all the same
  );
  // Claims come after 1 s of idleness: give the groups time to drain, then grade what they show.
  await waitFor(
    async () => {
      const state = await streamGroups(system, USER_CREATED);
      return !state || state.groups.length === 0 || streamDrained(state);
    },
    { what: 'the consumer groups to drain', timeoutMs: 20_000 },
  ).catch(() => undefined);
  const mail = await settle(() => system.backing.mail.deliveries(), USERS, { quietMs: 2_500 });
  const push = await settle(() => system.backing.push.deliveries(), USERS, { quietMs: 2_500 });

  const state = await streamGroups(system, USER_CREATED);
  if (state && state.groups.length > 0) {
    checkOneGroupPerService(state);
    checkSomethingPublished(state);
    checkAcked(state);
    checkClaimed(state);
  }
  for (const [what, t] of [
    ['emails', mail],
    ['pushes', push],
  ] as const) {
    checkDeliveries(what, t, users, state, heldAtDeath);
  }
});

/** The service a consumer belongs to, when it is named after its replica (the default: REPLICA_ID). */
function serviceOf(consumer: string): string | undefined {
  return SERVICES.find((service) => consumer.startsWith(`${service}-`));
}

const consumersOf = (g: StreamGroupState) => g.consumers.map((c) => c.name).join(', ') || 'no consumer';
const describeGroups = (state: StreamState) =>
  state.groups.map((g) => `"${g.name}" (${consumersOf(g)}: ${g.pending} pending)`).join('; ');

function checkOneGroupPerService(state: StreamState): void {
  for (const g of state.groups) {
    const services = new Set(g.consumers.map((c) => serviceOf(c.name)).filter(Boolean));
    const shared = services.size > 1 || (state.groups.length === 1 && g.consumers.length > REPLICAS);
    check(
      !shared,
      `Stream ${state.stream}: consumer group "${g.name}" is read by ${consumersOf(g)}, mail and push replicas together. ` +
        'A group hands each entry to ONE of its consumers, so each event reaches either a mail or a push replica, never both. ' +
        `Give each service its own group, shared by its replicas (the group in ${MAINS}).`,
    );
  }
  const groupsPerService = SERVICES.map((service) => ({
    service,
    groups: state.groups.filter((g) => g.consumers.some((c) => serviceOf(c.name) === service)),
  }));
  const split = groupsPerService.find(({ groups }) => groups.length > 1);
  check(
    state.groups.length <= SERVICES.length && !split,
    `Stream ${state.stream} has ${state.groups.length} consumer groups: ${describeGroups(state)}. ` +
      `That is a group per replica${split ? ` (${split.service} alone has ${split.groups.length})` : ''}: ` +
      "every group gets every entry, so every replica handles every event (the step 2 bug), and no one takes over a dead replica's entries. " +
      `One group per service, its name the same for all its replicas (${MAINS}).`,
  );
}

function checkSomethingPublished(state: StreamState): void {
  check(
    state.lastId !== '0-0',
    `Stream ${state.stream} has consumer groups (${describeGroups(state)}) but holds no entry: ` +
      'the user service does not append its events to the stream (services/user/src/user.module.ts).',
  );
}

/**
 * A consumer that is not reading any more. Named after a replica (the default), the replica's process
 * says; otherwise its idle time, which Redis 7.0 resets on every claim and on every read that returns
 * entries (not on an empty one), so this is a guess for a consumer that had nothing to read.
 */
function isGone(consumer: { name: string; idle: number }): boolean {
  const replica = system.fleet.list().find((r) => r.id === consumer.name);
  return replica ? !isRunning(system.fleet, replica.id) : consumer.idle > GONE_IDLE_MS;
}

/** Entries handled and never acked are claimed and run again, pending forever or dead-lettered at last. */
function checkAcked(state: StreamState): void {
  check(
    state.deadLetters === 0,
    `${state.deadLetters} entries of ${state.stream} were dead-lettered (${state.stream}:dead-letter) after being delivered over and over: ` +
      'they stayed pending, and each claim ran them again until the transport gave up on them: they were never acknowledged, ' +
      `or their work failed every time (the replicas' logs, in ${system.logDir}, say which). ` +
      `Acknowledge each entry (XACK) once its work is done (${FILES}). Groups: ${describeGroups(state)}.`,
  );
  for (const g of state.groups) {
    const live = new Set(g.consumers.filter((c) => !isGone(c)).map((c) => c.name));
    // Long after the traffic, a live consumer still owns entries: it handled them and never acked.
    // (What a dead consumer owns is the claim's business: checkClaimed.)
    const onLive = g.pendingEntries.filter((e) => live.has(e.consumer));
    const most = Math.max(0, ...g.pendingEntries.map((e) => e.deliveries));
    check(
      onLive.length === 0,
      `Group "${g.name}" of ${state.stream} still has ${g.pending} entries pending after the traffic stopped, ` +
        `${onLive.length} of them owned by live consumers (${owners(onLive)}), delivered up to ${most} time(s): ` +
        'they were never acknowledged, so the pending list grows and every claim runs them again ' +
        `(unless their work fails every time: the replicas' logs, in ${system.logDir}, say which). ` +
        `Acknowledge each entry (XACK) once its work is done (${FILES}).`,
    );
  }
}

/** What a dead consumer read and never acked must be taken over by a live one. */
function checkClaimed(state: StreamState): void {
  for (const g of state.groups) {
    const most = Math.max(0, ...g.pendingEntries.map((e) => e.idle));
    check(
      g.pending === 0,
      `Group "${g.name}" of ${state.stream} still has ${g.pending} entries pending on ${owners(g.pendingEntries)}, ` +
        `idle for up to ${most} ms, after its replica was killed holding them and never came back: ` +
        'no live consumer took them over, so those users are never served by this group. ' +
        `A live consumer must claim the entries idle for longer than the idle time the server passes (XAUTOCLAIM, in ${FILES}).`,
    );
  }
}

function owners(entries: { consumer: string }[]): string {
  const count = new Map<string, number>();
  for (const e of entries) count.set(e.consumer, (count.get(e.consumer) ?? 0) + 1);
  return [...count].map(([consumer, n]) => `${consumer}: ${n}`).join(', ') || 'no consumer';
}

function checkDeliveries(
  what: 'emails' | 'pushes',
  t: Tally,
  users: User[],
  state: StreamState | undefined,
  heldAtDeath: Map<string, number>,
): void {
  const seen = `${onceEach(t, users, what)} (per replica: ${describeReplicas(t.perReplica)}).`;
  const missing = withoutDelivery(users, t);
  const drained = !!state && state.groups.length > 0 && streamDrained(state) && state.deadLetters === 0;
  if (missing.length > 0 && drained) {
    // Nothing pending and nothing given up on, yet users unserved: their entries were acked, never handled.
    const emptyAtDeath = [...heldAtDeath].filter(([, pending]) => pending === 0).map(([id]) => id);
    check(
      emptyAtDeath.length === 0,
      `${seen} Yet every group's pending list is empty and nothing was dead-lettered: the missing users' entries were ` +
        `acknowledged without being handled. ${emptyAtDeath.join(' and ')} died holding entries it had read and not started, ` +
        'yet nothing was pending on it when it died: it had acknowledged them before their work, so no one could take them over. ' +
        `Acknowledge (XACK) only after the work is done (${FILES}).${story(t, users, what)}`,
    );
    throw new GradeError(
      `${seen} Yet every group's pending list is empty and nothing was dead-lettered: the missing users' entries were ` +
        'acknowledged although their work failed (the 3rd event of mail-2 and of push-2 fails once, as a refused send would). ' +
        'A work that throws must leave its entry pending, so that a claim runs it again: acknowledge (XACK) only once the ' +
        `work succeeded (${FILES}).${story(t, users, what)}`,
    );
  }
  check(exactlyOnce(t, users), `${seen}${story(t, users, what)}\n${ADVICE}`);
}

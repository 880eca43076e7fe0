/**
 * Step 5, live: 2 mail + 2 push replicas on JetStream, with the services'
 * idempotency guard on Redis. mail-1 and push-1 each crash twice (each kind
 * once, whichever comes first), and are started again after each crash:
 *
 * - after a send, before its ack (CHAOS_CRASH_AFTER_SEND): the event comes
 *   back, and only a "done" record keeps it from being sent twice;
 * - after the claim, before the send (CHAOS_CRASH_BEFORE_SEND): the event
 *   comes back while the dead replica's claim is still held; only a claim
 *   that runs out (a lease) and a delivery that is retried, not acked, while
 *   it is held, get it sent at all.
 *
 * Every user must get one email and one push, within a bound the check
 * explains (the ack wait, the lease, the crash's grace), and the user
 * service must dedupe on publish (Nats-Msg-Id).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  USER_CREATED,
  startBurst,
  lastStoredEvent,
  withEnv,
  check,
  BURST_RATE,
  deliveredTwice,
  describeRecord,
  describeReplicas,
  exactlyOnce,
  isRunning,
  onceEach,
  recordsNaming,
  restartCrashed,
  settle,
  startSystem,
  storedEventIds,
  plannedTopology,
  tally,
  waitFor,
  withoutDelivery,
  story,
  type Delivery,
  type LiveSystem,
  type Tally,
  type User,
  type UserCreatedEvent,
} from '../../../workshop/src/grading';

/** Users per burst: one burst per crash, the crashed replicas started again in between. */
const USERS_PER_BURST = 100;
const CRASHING = ['mail-1', 'push-1'];
/** The timings the check sets, and the services read (JetStreamServer, IdempotencyModule, the fault hook). */
const ACK_WAIT_MS = 2_000;
const LEASE_MS = 8_000;
const CRASH_GRACE_MS = 1_000;
/** Room for a busy machine: a redelivery's nak delay, a send, MailDev's answer. */
const SLACK_MS = 6_000;
/**
 * After a replica died holding claims, by when every event must be out: its
 * last claims run out at most LEASE_MS after they were taken (and they were
 * taken before its grace began); the broker redelivers its events at most
 * ACK_WAIT_MS after it died; a delivery refused while the claim is held comes
 * back when the claim may be free.
 */
const BOUND_MS = CRASH_GRACE_MS + LEASE_MS + ACK_WAIT_MS + SLACK_MS;

let system: LiveSystem;
let chaosDir: string;
let users: User[] = [];
/** When the last crash was seen: the bound counts from there. */
let lastCrashAt = 0;

beforeAll(async () => {
  chaosDir = await mkdtemp(join(tmpdir(), 'workshop-chaos-'));
  const env = {
    JETSTREAM_ACK_WAIT_MS: String(ACK_WAIT_MS),
    IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
    CHAOS_CRASH_GRACE_MS: String(CRASH_GRACE_MS),
    CHAOS_STATE_DIR: chaosDir, // each kind of crash once per replica: its restarts run normally
  };
  const crashing = {
    ...env,
    // The workshop's fault hooks: after the 10th send (before its ack), and before the 15th (after its claim).
    CHAOS_CRASH_AFTER_SEND: '10',
    CHAOS_CRASH_BEFORE_SEND: '15',
  };
  const topology = await plannedTopology({
    transport: 'jetstream',
    idempotencyStore: true,
    mailReplicas: 2,
    pushReplicas: 2,
  });
  system = await startSystem(
    withEnv(topology, { mail: env, push: env, 'mail-1': crashing, 'push-1': crashing }),
    'In step 5 the services use NATS and JetStream (NATS_URL), and Redis (REDIS_URL) as the store of handled events: set idempotencyStore in the stack config.',
    { chaos: true },
  );
  for (const prefix of ['first', 'second']) {
    const burst = startBurst(system.gatewayUrl, USERS_PER_BURST, { perSecond: BURST_RATE, prefix });
    users = users.concat(await burst.done);
    // A crashing replica dies CRASH_GRACE_MS after the sends it had under way ended; bring it back for the next burst.
    await waitFor(() => CRASHING.every((id) => !isRunning(system.fleet, id)), {
      what: 'mail-1 and push-1 to crash',
      timeoutMs: 10_000,
    }).catch(() => undefined); // a replica that never reaches its 10th or 15th send does not crash: still graded
    lastCrashAt = Date.now();
    await restartCrashed(system.fleet, CRASHING);
  }
});

afterAll(async () => {
  await system?.stop();
  await rm(chaosDir, { recursive: true, force: true });
});

/** Waits until every user got one, or the bound since the last crash is over; then lets late duplicates show. */
async function deliveriesOf(read: () => Promise<Delivery[]>): Promise<Tally> {
  const deadline = lastCrashAt + BOUND_MS;
  await waitFor(async () => withoutDelivery(users, tally(await read())).length === 0, {
    what: 'every user served',
    timeoutMs: Math.max(1_000, deadline - Date.now()),
  }).catch(() => undefined); // who is missing is reported below
  return settle(read, users.length, { quietMs: 2_500, stallMs: 500 });
}

/** Why these users got nothing from `service`, from what the records of their events say now. */
async function whyMissing(service: string, missing: User[], other: { service: string; tally: Tally }): Promise<string> {
  // Mail and push on one record: each event is handled by whichever service claims it first, so most users
  // get one of the two, and few get both (a few get both all the same: those handled before the other looked).
  const missed = new Set(missing.map((u) => u.id));
  const onlyOne = users.filter((u) => missed.has(u.id) === other.tally.perUser.has(u.id)).length;
  if (onlyOne > users.length / 4) {
    return (
      `${onlyOne} of ${users.length} users got an email or a push, not both: ` +
      `mail and push share one record of handled events, so whichever service comes second finds it taken and skips the event. ` +
      `Give each service records of its own: a key that names the service (the context's service) as well as the event.`
    );
  }
  const eventIds = await storedEventIds(system, USER_CREATED);
  const sample = missing.slice(0, 3).flatMap((u) => {
    const eventId = eventIds.get(u.id);
    return eventId ? [{ user: u, eventId }] : [];
  });
  const records = await recordsNaming(
    system,
    sample.map((s) => s.eventId),
  );
  const shown = sample
    .map(({ user, eventId }) => {
      const found = records.get(eventId) ?? [];
      const lines = found.length ? found.map(describeRecord).join('; ') : 'no key naming it';
      return `\n  ${user.email} (event ${eventId}): ${lines}`;
    })
    .join('');
  const all = [...records.values()].flat();
  // This service's records: named after it, or at least not after the other one.
  const own = (r: { key: string }) => r.key.includes(service) || !r.key.includes(other.service);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  let cause: string;
  if (all.some((r) => r.ttlMs === -1 && own(r))) {
    cause =
      `Their ${service} record never expires: a claim that outlives a crashed replica. ${service}-1 took the claim, ` +
      `was killed before it sent (CHAOS_CRASH_BEFORE_SEND), and no replica may ever take the event again. ` +
      `Give the claim a lease: an expiry of the context's leaseMs (IDEMPOTENCY_LEASE_MS, here ${seconds(LEASE_MS)}), ` +
      `so that a redelivery can claim it once the dead replica's lease ran out.`;
  } else if (all.some((r) => r.ttlMs > 0 && own(r))) {
    cause =
      `Their ${service} record is still there, ${seconds(BOUND_MS)} after the crash, with a longer life than the lease the check set ` +
      `(IDEMPOTENCY_LEASE_MS=${LEASE_MS}): either the claim's lease is not the context's leaseMs, or the event was recorded as done ` +
      `without being sent (done is recorded after the work, never before).`;
  } else {
    cause =
      `No ${service} record holds them any more: the dead replica's claim ran out, yet the event was never sent. ` +
      `The broker redelivered it while that claim was still held, and the delivery was acked as if it had been handled. ` +
      `A claim that is not done must send the event back (throw: the transport naks it, and it comes back once the claim may be free), never resolve. ` +
      `(If your records are not named by the event id, the check cannot show them.)`;
  }
  return `${cause}\nWhat Redis holds for some of them now:${shown || '\n  (their event ids are not in the stream)'}`;
}

test(`${2 * USERS_PER_BURST} users, mail-1 and push-1 killed after a send (before its ack) and after a claim (before its send): one email and one push each, in time`, async () => {
  const mail = await deliveriesOf(() => system.backing.mail.deliveries());
  const push = await deliveriesOf(() => system.backing.push.deliveries());
  const bound =
    `within ${BOUND_MS / 1000} s of the last crash (the crash's grace ${CRASH_GRACE_MS / 1000} s + the lease IDEMPOTENCY_LEASE_MS ` +
    `${LEASE_MS / 1000} s + the ack wait JETSTREAM_ACK_WAIT_MS ${ACK_WAIT_MS / 1000} s + ${SLACK_MS / 1000} s for retries and a busy machine)`;
  for (const [service, got, what, other] of [
    ['mail', mail, 'emails', { service: 'push', tally: push }],
    ['push', push, 'pushes', { service: 'mail', tally: mail }],
  ] as const) {
    const missing = withoutDelivery(users, got);
    if (missing.length === 0) continue;
    check(
      false,
      `${missing.length} of ${users.length} users got no ${what} ${bound}. ${await whyMissing(service, missing, other)}` +
        story(got, users, what),
    );
  }
  const advice =
    'JetStream delivers at least once: the event a replica handled but never acked comes back. ' +
    'Claim the event in Redis before the work, and record it as done after the work, so that a redelivery of a done event is acked without a second send.';
  for (const [got, what] of [
    [mail, 'emails'],
    [push, 'pushes'],
  ] as const) {
    check(
      exactlyOnce(got, users),
      `${onceEach(got, users, what)} (per replica: ${describeReplicas(got.perReplica)}). ` +
        `${deliveredTwice(users, got).length ? `${CRASHING.join(' and ')} crashed after a send and before its ack (CHAOS_CRASH_AFTER_SEND): ` : ''}` +
        `${story(got, users, what)}\n${advice}`,
    );
  }
});

test('the user service sets Nats-Msg-Id to the event id, so the stream stores a retried publish once', async () => {
  const { stream, event } = await lastStoredEvent(system, USER_CREATED);
  check(
    stream,
    `No JetStream stream captures "${USER_CREATED}": the user service must publish it to a stream (step 4).`,
  );
  check(event, `The stream ${stream} holds no "${USER_CREATED}" event.`);
  const body = event.body as { data?: UserCreatedEvent } & Partial<UserCreatedEvent>;
  const eventId = body.data?.eventId ?? body.eventId;
  check(
    event.msgId && event.msgId === eventId,
    `The last ${USER_CREATED} event in the stream has Nats-Msg-Id "${event.msgId || '(none)'}", not its eventId "${eventId}". ` +
      'Publish with msgId = the event id: JetStream then stores a re-published (retried) event once within its duplicate window.',
  );
});

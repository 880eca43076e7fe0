/**
 * Step 4, live, on two systems:
 * 1. 200 users while a mail replica is killed mid-burst (and restarted):
 *    every user still gets a welcome email and a push; each service reads
 *    the stream through ONE durable, shared by its replicas; the user service
 *    publishes with a JetStream publish. Duplicates are allowed here (a kill
 *    after a send, before its ack); step 5 removes them.
 * 2. A few users, each email slower than the ack wait, nothing killed: no
 *    event is redelivered while its first delivery is still at work. On the
 *    same system push has a long ack wait and its first event fails once: it
 *    must come back soon (a nak with a delay), not after the whole ack wait;
 *    an event whose push fails on every delivery is terminated by push when
 *    its last allowed delivery fails, not left to run out of deliveries.
 */
import {
  check,
  everyUserServed,
  killMidBurst,
  withoutDelivery,
  startSystem,
  plannedTopology,
  jetStreamDurables,
  lastStoredEvent,
  withEnv,
  describeReplicas,
  createUsers,
  USER_CREATED,
  type LiveSystem,
  type Tally,
  type User,
  story,
  waitFor,
  watchGiveUps,
} from '../../../workshop/src/grading';

const ADVICE =
  'In step 4 the services use NATS (NATS_URL): mail and push consume user.created from a JetStream stream, through the stream, durable and settle of services/shared/src/delivery.';

/** How many users got more than one delivery. */
const twiceOrMore = (t: Tally, users: User[]) => users.filter((u) => (t.perUser.get(u.id) ?? 0) > 1).length;

describe('a mail replica killed mid-burst', () => {
  const USERS = 200;
  /** Short, so the killed replica's unacked events come back within the check. */
  const ENV = { JETSTREAM_ACK_WAIT_MS: '2000' };
  let system: LiveSystem;
  let users: User[] = [];
  let mail: Tally | undefined;

  beforeAll(async () => {
    const topology = await plannedTopology({ transport: 'jetstream', mailReplicas: 2, pushReplicas: 2 });
    system = await startSystem(
      withEnv(topology, { mail: ENV, push: ENV }),
      ADVICE,
      { slowSmtpMs: 250, chaos: true }, // a slow mail provider: the killed replica always has emails in flight
    );
  });

  afterAll(() => system?.stop());

  test(`${USERS} users, mail-1 killed mid-burst and restarted: no user goes without a welcome email`, async () => {
    const emails = () => system.backing.mail.deliveries();
    const { burst, createdAtKill } = await killMidBurst(system.fleet, emails, 'mail-1', { count: USERS });
    users = await burst.done;
    await system.fleet.startReplica('mail-1', { waitForBroker: false });

    mail = await everyUserServed(emails, users);
    const lost = withoutDelivery(users, mail);
    check(
      lost.length === 0,
      `${lost.length} of ${USERS} users got no welcome email after mail-1 was killed (after ${createdAtKill} users were created). ` +
        `Emails per replica: ${describeReplicas(mail.perReplica)}.${story(mail, users, 'emails')}\n` +
        'What a replica had taken and not acked must come back to another one: consume user.created from a JetStream durable ' +
        'with explicit acks, and ack an event only after its handler finished (services/shared/src/delivery/settle.ts), ' +
        'never before: an event acked before its email is out is gone when the replica dies.',
    );
    const push = await everyUserServed(() => system.backing.push.deliveries(), users);
    const noPush = withoutDelivery(users, push);
    check(
      noPush.length === 0,
      `${noPush.length} of ${USERS} users got no push: push must consume from the stream too, with a durable of its own.`,
    );
  });

  test('mail and push each consume the stream through ONE durable consumer, shared by their replicas', async () => {
    const durables = await jetStreamDurables(system);
    const working = durables.filter((d) => d.delivered > 0);
    const names = (list: typeof durables) => list.map((d) => `${d.durable} (${d.delivered} delivered)`).join(', ');
    const emailed = mail ? twiceOrMore(mail, users) : 0;
    check(
      working.length <= 2,
      `JetStream has ${working.length} durable consumers with deliveries: ${names(working)}; expected 2, one for mail and ` +
        'one for push, for 4 replicas. A durable per replica hands every event to every replica, like the Redis pub/sub ' +
        `of step 2: ${emailed} of ${users.length} users got more than one welcome email. Name the durable after the ` +
        'service, the same on all its replicas (services/shared/src/delivery/durable-consumer.ts).',
    );
    check(
      working.length >= 2,
      `JetStream has ${durables.length} durable consumer(s) (${names(durables) || 'none'}), ` +
        `${working.length} of them with deliveries; expected 2. Each service needs its own durable, shared by its replicas: ` +
        'a service left on core NATS loses what a dead replica of its own had taken, and two services sharing one durable ' +
        'split the events between them.',
    );
  });

  test('the user service publishes with a JetStream publish, which the stream confirms', async () => {
    const { stream, event } = await lastStoredEvent(system, USER_CREATED);
    check(
      stream && event,
      `No JetStream stream holds a "${USER_CREATED}" event: the user service must publish into one.`,
    );
    check(
      event.msgId !== '',
      `The stream ${stream} stored the last "${USER_CREATED}" without a Nats-Msg-Id header: the user service publishes ` +
        'it with a core NATS emit. The stream stores that too (it captures the subject), but the publisher gets no PubAck: ' +
        'an event published before the stream exists, or while JetStream is away, is dropped and the user service never ' +
        "knows. Publish with the JetStream client of services/shared/src/jetstream: it waits for the stream's PubAck, " +
        'retries without one, and sends a Nats-Msg-Id so that a retry is stored once.',
    );
  });
});

describe('a send slower than the ack wait; a push that fails once', () => {
  const USERS = 5;
  const ACK_WAIT_MS = 2_000;
  /** Each email takes this long (the workshop's handler delay hook): over twice the ack wait. */
  const SEND_MS = 4_500;
  /** Push's ack wait, long: a failed push that nobody answered comes back only after it. */
  const PUSH_ACK_WAIT_MS = 30_000;
  /** A push that failed once must be out this soon after its user was created: well under the push ack wait. */
  const RETRY_WITHIN_MS = 12_000;
  /** Push's max deliver for this system (lowered, so the poison event's last delivery comes soon). */
  const PUSH_MAX_DELIVER = 3;
  /** The push of every user whose email has this in it fails, on every delivery. */
  const POISON = 'poison';
  /** Its deliveries are a few naks apart (1 s, then 2 s for the solution's): JetStream must say it gave up within this. */
  const GIVE_UP_WITHIN_MS = 25_000;
  let system: LiveSystem;

  beforeAll(async () => {
    const topology = await plannedTopology({ transport: 'jetstream', mailReplicas: 1, pushReplicas: 1 });
    const env = { JETSTREAM_ACK_WAIT_MS: String(ACK_WAIT_MS) };
    system = await startSystem(
      withEnv(topology, {
        mail: { ...env, CHAOS_HANDLER_DELAY_MS: String(SEND_MS) },
        // The first event the push replica handles fails once, as a refused send would.
        // Every delivery of a poison user's event fails.
        push: {
          JETSTREAM_ACK_WAIT_MS: String(PUSH_ACK_WAIT_MS),
          JETSTREAM_MAX_DELIVER: String(PUSH_MAX_DELIVER),
          CHAOS_FAIL_EVENT: '1',
          CHAOS_POISON_USER: POISON,
        },
      }),
      ADVICE,
      { chaos: true },
    );
  });

  afterAll(() => system?.stop());

  test(`a push that fails once goes out within ${RETRY_WITHIN_MS} ms, not after the ${PUSH_ACK_WAIT_MS} ms ack wait`, async () => {
    const createdBy = Date.now();
    const users = await createUsers(system.gatewayUrl, 3, { prefix: 'retry' });
    const left = Math.max(0, createdBy + RETRY_WITHIN_MS - Date.now());
    const push = await everyUserServed(() => system.backing.push.deliveries(), users, {
      stallMs: left,
      timeoutMs: left,
    });
    const late = withoutDelivery(users, push);
    check(
      late.length === 0,
      `${late.length} of ${users.length} users got no push within ${RETRY_WITHIN_MS} ms of their creation. ` +
        `The push replica's first event failed once on purpose (a refused send), and push's ack wait is ${PUSH_ACK_WAIT_MS} ms: ` +
        'a failed event left without a nak waits the whole ack wait before NATS hands it out again. When the handler ' +
        'fails, tell NATS at once that the event is not done, with a short delay before its redelivery ' +
        '(services/shared/src/delivery/settle.ts).',
    );
  });

  test(`an event whose push fails on every delivery is terminated when its last delivery (of ${PUSH_MAX_DELIVER}) fails`, async () => {
    const watch = await watchGiveUps(system);
    try {
      const [user] = await createUsers(system.gatewayUrl, 1, { prefix: POISON });
      const gaveUp = await waitFor(() => watch.seen[0], {
        what: `JetStream to say that push gave up on the event of ${user.email}`,
        timeoutMs: GIVE_UP_WITHIN_MS,
      }).catch(() => undefined);
      check(
        gaveUp,
        `The push of ${user.email} fails on every delivery (on purpose), and push's durable allows ${PUSH_MAX_DELIVER} ` +
          `deliveries (JETSTREAM_MAX_DELIVER), but within ${GIVE_UP_WITHIN_MS} ms JetStream neither saw the event ` +
          'terminated nor saw it run out of deliveries. Answer every failure: redeliver it ' +
          "after a short delay while deliveries are left, give up on it once the delivery's count reaches the " +
          "durable's max deliver (services/shared/src/delivery/settle.ts).",
      );
      check(
        gaveUp.kind === 'terminated',
        `The push of ${user.email} fails on every delivery (on purpose). After ${gaveUp.deliveries} deliveries, ` +
          `JetStream stopped redelivering it because durable ${gaveUp.consumer} reached its max deliver ` +
          `(${PUSH_MAX_DELIVER}): nobody terminated it. Left to max deliver, a poison event just stops, with no reason ` +
          'and no dead-letter copy; its last nak asks for a redelivery NATS no longer makes. When the last allowed delivery fails (the ' +
          "delivery's count reaches the durable's max deliver), give up on the event yourself, with why " +
          '(services/shared/src/delivery/settle.ts).',
      );
    } finally {
      await watch.close();
    }
  });

  test(`${USERS} users, each email ${SEND_MS} ms long (ack wait ${ACK_WAIT_MS} ms): none is redelivered while it is sent`, async () => {
    const users = await createUsers(system.gatewayUrl, USERS);
    const mail = await everyUserServed(() => system.backing.mail.deliveries(), users, { stallMs: 3 * SEND_MS });
    check(
      withoutDelivery(users, mail).length === 0,
      `${withoutDelivery(users, mail).length} of ${USERS} users got no welcome email within ${3 * SEND_MS} ms, each send taking ${SEND_MS} ms.`,
    );
    const working = (await jetStreamDurables(system)).filter((d) => d.delivered > 0);
    const acked = working.reduce((sum, d) => sum + d.acked, 0);
    check(
      acked > 0,
      `Every user got an email, but the durables (${working.map((d) => d.durable).join(', ') || 'none'}) have ` +
        'acked none of the events they delivered: each one comes back after the ack wait, and is sent again. ' +
        'Once the handler finished, ack the event (services/shared/src/delivery/settle.ts).',
    );
    // Push's durable (the long ack wait) redelivered its failed event on purpose: count mail's redeliveries only.
    const redelivered = working
      .filter((d) => d.ackWaitMs !== PUSH_ACK_WAIT_MS)
      .reduce((sum, d) => sum + d.redelivered, 0);
    check(
      redelivered === 0 && twiceOrMore(mail, users) === 0,
      `With each email taking ${SEND_MS} ms and an ack wait of ${ACK_WAIT_MS} ms, JetStream redelivered ${redelivered} ` +
        `event(s) while their first delivery was still being handled: ${twiceOrMore(mail, users)} of ${USERS} users ` +
        `got more than one email, and no replica was killed.${story(mail, users, 'emails')}\n` +
        'While a handler runs, tell NATS the event is still in progress, more often than the ack wait ' +
        "(the delivery's ack wait is the durable's real one), and stop once the event is answered.",
    );
  });
});

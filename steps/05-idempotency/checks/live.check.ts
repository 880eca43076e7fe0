/**
 * Step 5, live: 200 users while mail-1 and push-1 each crash right after a
 * send and before its ack (a forced redelivery), then come back: exactly one
 * email and one push per user. And the user service dedupes on publish.
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
  exactlyOnce,
  isRunning,
  onceEach,
  restartCrashed,
  startSystem,
  plannedTopology,
  waitFor,
  describeReplicas,
  settle,
  type UserCreatedEvent,
  type LiveSystem,
  story,
} from '../../../workshop/src/grading';

const USERS = 200;
const CRASHING = ['mail-1', 'push-1'];
let system: LiveSystem;
let chaosDir: string;

beforeAll(async () => {
  chaosDir = await mkdtemp(join(tmpdir(), 'workshop-chaos-'));
  const env = {
    JETSTREAM_ACK_WAIT_MS: '2000',
    IDEMPOTENCY_LEASE_MS: '3000',
    // The workshop's fault hook: the 20th send is not acked, then the replica dies (once).
    CHAOS_CRASH_AFTER_SEND: '20',
    CHAOS_CRASH_REPLICAS: CRASHING.join(','),
    CHAOS_STATE_DIR: chaosDir,
  };
  const topology = await plannedTopology({
    transport: 'jetstream',
    idempotencyStore: true,
    mailReplicas: 2,
    pushReplicas: 2,
  });
  system = await startSystem(
    withEnv(topology, { mail: env, push: env }),
    'In step 5 the services use NATS and JetStream (NATS_URL), and Redis (REDIS_URL) as the store of handled events: set idempotencyStore in the stack config.',
    { chaos: true },
  );
});

afterAll(async () => {
  await system?.stop();
  await rm(chaosDir, { recursive: true, force: true });
});

test(`${USERS} users, mail-1 and push-1 crash after an event is sent and marked done, before its ack: one email and one push each`, async () => {
  const burst = startBurst(system.gatewayUrl, USERS, { perSecond: BURST_RATE });
  const users = await burst.done;
  // The crashing replicas die about a second after their 20th send; bring them back.
  await waitFor(() => CRASHING.every((id) => !isRunning(system.fleet, id)), {
    what: 'mail-1 and push-1 to crash',
    timeoutMs: 10_000,
  }).catch(() => undefined); // a transport without the workshop's fault hook never crashes: still graded below
  await restartCrashed(system.fleet, CRASHING);

  const mail = await settle(() => system.backing.mail.deliveries(), USERS, { quietMs: 2_500 });
  const push = await settle(() => system.backing.push.deliveries(), USERS, { quietMs: 2_500 });
  const advice =
    'JetStream delivers at least once: the event a replica handled but never acked comes back. ' +
    'Make the consumers idempotent on the eventId (claim it in Redis with SET NX before the work, mark it done after), ' +
    'so a redelivered event is acked without a second email or push.';
  check(
    exactlyOnce(mail, users),
    `${onceEach(mail, users, 'emails')} (per replica: ${describeReplicas(mail.perReplica)}).${story(mail, users, 'emails')}\n${advice}`,
  );
  check(
    exactlyOnce(push, users),
    `${onceEach(push, users, 'pushes')} (per replica: ${describeReplicas(push.perReplica)}).${story(push, users, 'pushes')}\n${advice}`,
  );
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

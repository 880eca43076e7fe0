/**
 * Step 4, live: 200 users while a mail replica is killed mid-burst (and
 * restarted): every user still gets a welcome email. Duplicates are allowed
 * here; step 5 removes them.
 */
import {
  check,
  everyUserServed,
  killMidBurst,
  withoutDelivery,
  startSystem,
  plannedTopology,
  jetStreamDurables,
  withEnv,
  describeReplicas,
  type LiveSystem,
  story,
} from '../../../workshop/src/grading';

const USERS = 200;
/** Short, so the killed replica's unacked events come back within the check. */
const ENV = { JETSTREAM_ACK_WAIT_MS: '2000' };
let system: LiveSystem;

beforeAll(async () => {
  const topology = await plannedTopology({ transport: 'jetstream', mailReplicas: 2, pushReplicas: 2 });
  system = await startSystem(
    withEnv(topology, { mail: ENV, push: ENV }),
    'In step 4 the services use NATS (NATS_URL): mail and push consume user.created from a JetStream stream.',
    { slowSmtpMs: 250, chaos: true }, // a slow mail provider: the killed replica always has emails in flight
  );
});

afterAll(() => system?.stop());

test(`${USERS} users, mail-1 killed mid-burst and restarted: no user goes without a welcome email`, async () => {
  const emails = () => system.backing.mail.deliveries();
  const { burst, createdAtKill } = await killMidBurst(system.fleet, emails, 'mail-1', { count: USERS });
  const users = await burst.done;
  await system.fleet.startReplica('mail-1', { waitForBroker: false });

  const mail = await everyUserServed(emails, users);
  const lost = withoutDelivery(users, mail);
  check(
    lost.length === 0,
    `${lost.length} of ${USERS} users got no welcome email after mail-1 was killed (after ${createdAtKill} users were created). ` +
      `Emails per replica: ${describeReplicas(mail.perReplica)}.${story(mail, users, 'emails')}\n` +
      'Core NATS hands each event to a subscriber at most once: what a dead replica had taken is gone. ' +
      'Consume user.created from a JetStream durable consumer shared by the mail replicas, and ack each event only once its email is sent, ' +
      'so that JetStream redelivers what a dead replica never acked.',
  );
  const push = await everyUserServed(() => system.backing.push.deliveries(), users);
  const noPush = withoutDelivery(users, push);
  check(
    noPush.length === 0,
    `${noPush.length} of ${USERS} users got no push: push must consume from the stream too, with a durable of its own.`,
  );
});

test('mail and push each consume the stream through a durable consumer of their own', async () => {
  const durables = await jetStreamDurables(system);
  const working = durables.filter((d) => d.delivered > 0);
  check(
    working.length >= 2,
    `JetStream has ${durables.length} durable consumer(s) (${durables.map((d) => d.durable).join(', ') || 'none'}), ` +
      `${working.length} of them with deliveries. Each service needs its own durable, shared by its replicas: ` +
      'a service left on core NATS loses what a dead replica of its own had taken, like mail did above.',
  );
});

/**
 * Step 3, live: on NATS with queue groups, every event reaches every service
 * once, and the load is shared by the replicas.
 */
import {
  USER_CREATED,
  gradingTarget,
  check,
  checkEqual,
  startSystem,
  plannedTopology,
  subscriptionsOn,
  describeReplicas,
  createUsers,
  settle,
  type LiveSystem,
  story,
} from '../../../workshop/src/grading';

const USERS = 50;
let system: LiveSystem;

beforeAll(async () => {
  system = await startSystem(
    await plannedTopology({ transport: 'nats', mailReplicas: 2, pushReplicas: 2 }),
    'In this step every service talks through NATS (NATS_URL): the gateway and user clients, and the user, mail and push servers. Redis is not running.',
  );
});

afterAll(() => system?.stop());

// NATS's monitoring port is not published by the stack: on --target stack the counts below tell.
const local = gradingTarget() === 'local' ? test : test.skip;

local('mail and push each listen in a queue group of their own', async () => {
  const subs = await subscriptionsOn(system, USER_CREATED);
  check(
    subs,
    'The system runs without NATS: with transport=nats, your Pulumi program must start NATS and give every service NATS_URL (see the infra check).',
  );
  const loners = subs.filter((s) => s.queue === '').length;
  check(
    loners === 0,
    `${loners} of the ${subs.length} subscriptions to "${USER_CREATED}" have no queue group, so each of them gets every event, just like Redis pub/sub.\n` +
      `Give the mail and push servers a queue group (the "queue" option of the NATS transport).`,
  );
  const groups = new Map<string, number>();
  for (const s of subs) groups.set(s.queue, (groups.get(s.queue) ?? 0) + 1);
  check(
    groups.size >= 2,
    `mail and push share one queue group ("${[...groups.keys()].join('", "')}"). NATS hands each event to ONE member of a group, ` +
      `so each user would get an email OR a push, never both.\nGive each service its own queue group name (e.g. "mail" and "push").`,
  );
});

test(`${USERS} users: exactly ${USERS} emails and ${USERS} pushes, one each, shared by the replicas`, async () => {
  const users = await createUsers(system.gatewayUrl, USERS);
  const mail = await settle(() => system.backing.mail.deliveries(), USERS);
  const push = await settle(() => system.backing.push.deliveries(), USERS);

  for (const [name, seen] of [
    ['emails', mail],
    ['pushes', push],
  ] as const) {
    const perReplica = describeReplicas(seen.perReplica);
    checkEqual(
      seen.total,
      USERS,
      `${name} for ${USERS} users`,
      `Per replica: ${perReplica}.${story(seen, users, name)}\n` +
        (seen.total > USERS
          ? 'More than one replica handled some events: is every replica of the service in the same queue group?'
          : 'Some events reached no replica of this service: does it share its queue group with the other service?'),
    );
    const twice = users.filter((u) => (seen.perUser.get(u.id) ?? 0) !== 1);
    check(twice.length === 0, `${twice.length} users did not get exactly one of the ${name}.`);
    check(
      seen.perReplica.size >= 2,
      `Only ${perReplica} handled ${name}: with a queue group, NATS spreads the events over all replicas of the service.`,
    );
  }
});

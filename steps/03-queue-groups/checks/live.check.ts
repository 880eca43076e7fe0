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
  subscriptionsByReplica,
  describeReplicas,
  createUsers,
  settle,
  type LiveSystem,
  type ReplicaSubscriptions,
  story,
} from '../../../workshop/src/grading';

const USERS = 50;
const CONSUMERS = ['mail', 'push'] as const;
let system: LiveSystem;

beforeAll(async () => {
  system = await startSystem(
    await plannedTopology({ transport: 'nats', mailReplicas: 2, pushReplicas: 2 }),
    'In this step every service talks through NATS (NATS_URL): the gateway and user clients, and the user, mail and push servers. ' +
      'Redis is not running: a replica that stops on "REDIS_URL is not set" still has a Redis server or client (its main.ts, or the module that registers its client).',
  );
});

afterAll(() => system?.stop());

// NATS's monitoring port is not published by the stack: on --target stack the counts below tell.
const local = gradingTarget() === 'local' ? test : test.skip;

local('mail and push each listen in a queue group of their own', async () => {
  const owners = await subscriptionsByReplica(system, USER_CREATED, CONSUMERS);
  check(
    owners,
    'The system runs without NATS: with transport=nats, your Pulumi program must start NATS and give every service NATS_URL (see the infra check).',
  );
  const seen = `On "${USER_CREATED}", NATS holds: ${owners.map(describeOwner).join('; ')}.`;
  const fileOf = (service: string) => `services/${service}/src/main.ts`;

  const deaf = owners.filter((o) => o.queues.length === 0);
  check(
    deaf.length === 0,
    () =>
      `${names(deaf)} hold no subscription to "${USER_CREATED}" on NATS, so no event reaches them. ${seen}\n` +
      `Does ${servicesOf(deaf).map(fileOf).join(' and ')} start its server on NATS?`,
  );

  const loners = owners.filter((o) => o.queues.includes(''));
  check(
    loners.length === 0,
    () =>
      `${names(loners)} subscribe to "${USER_CREATED}" in no queue group, so each of them gets every event, just like Redis pub/sub. ${seen}\n` +
      `Put every replica of ${servicesOf(loners).join(' and ')} in a queue group (${servicesOf(loners).map(fileOf).join(', ')}).`,
  );

  for (const service of CONSUMERS) {
    const replicas = owners.filter((o) => o.service === service);
    const groups = new Set(replicas.flatMap((o) => o.queues));
    check(
      groups.size <= 1,
      () =>
        `The replicas of ${service} are in different queue groups (${replicas.map(describeOwner).join('; ')}): ` +
        `NATS gives each group its own copy, so several ${service} replicas get the same event.\n` +
        `Every replica of ${service} must join one and the same group: does its name depend on the replica (${fileOf(service)})?`,
    );
  }

  const [mailGroups, pushGroups] = CONSUMERS.map(
    (service) => new Set(owners.filter((o) => o.service === service).flatMap((o) => o.queues)),
  );
  const shared = [...mailGroups].filter((group) => pushGroups.has(group));
  check(
    shared.length === 0,
    () =>
      `mail and push share queue group "${shared.join('", "')}" (${owners.map((o) => o.replica).join(', ')}). ` +
      `NATS hands each event to ONE member of a group, so each user gets an email OR a push, never both.\n` +
      `Give each service a queue group of its own (${CONSUMERS.map(fileOf).join(', ')}).`,
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

function describeOwner(o: ReplicaSubscriptions): string {
  if (o.queues.length === 0) return `${o.replica}: no subscription`;
  return `${o.replica}: ${o.queues.map((q) => (q ? `queue group "${q}"` : 'no queue group')).join(' + ')}`;
}

function names(owners: ReplicaSubscriptions[]): string {
  return owners.map((o) => o.replica).join(', ');
}

function servicesOf(owners: ReplicaSubscriptions[]): string[] {
  return [...new Set(owners.map((o) => o.service))];
}

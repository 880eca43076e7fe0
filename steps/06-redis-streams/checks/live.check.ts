/**
 * Step 6 (bonus), live: on Redis alone, 200 users while mail-1 and push-1
 * crash after a send and before its XACK (and stay down): a live consumer
 * claims their pending entries, and each user gets exactly one email and one push.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  check,
  exactlyOnce,
  isRunning,
  onceEach,
  startSystem,
  withEnv,
  plannedTopology,
  waitFor,
  describeReplicas,
  createUsers,
  settle,
  type LiveSystem,
  story,
} from '../../../workshop/src/grading';

const USERS = 200;
const CRASHING = ['mail-1', 'push-1'];
let system: LiveSystem;
let chaosDir: string;

beforeAll(async () => {
  chaosDir = await mkdtemp(join(tmpdir(), 'workshop-chaos-'));
  const topology = await plannedTopology({ transport: 'redis', mailReplicas: 2, pushReplicas: 2 });
  // mail-1 and push-1 each crash once, right after their 5th send and before the XACK, one event
  // at a time so that nothing else is half-done when they die. A dead consumer's entries are
  // claimable after 1 s.
  const crash = {
    CHAOS_CRASH_AFTER_SEND: '5',
    CHAOS_CRASH_REPLICAS: CRASHING.join(','),
    CHAOS_STATE_DIR: chaosDir,
    REDIS_STREAMS_CONCURRENCY: '1',
  };
  const claimSoon = { REDIS_STREAMS_CLAIM_IDLE_MS: '1000' };
  system = await startSystem(
    {
      ...withEnv(topology, { mail: claimSoon, push: claimSoon, 'mail-1': crash, 'push-1': crash }),
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

test(`${USERS} users, mail-1 and push-1 crash after an event is sent and marked done, before its ack: one email and one push each`, async () => {
  const users = await createUsers(system.gatewayUrl, USERS);
  await waitFor(() => CRASHING.every((id) => !isRunning(system.fleet, id)), {
    what: 'mail-1 and push-1 to crash',
    timeoutMs: 10_000,
  }).catch(
    () => undefined, // pub/sub has no fault hook: graded all the same
  );
  const mail = await settle(() => system.backing.mail.deliveries(), USERS, { quietMs: 2_500 });
  const push = await settle(() => system.backing.push.deliveries(), USERS, { quietMs: 2_500 });
  const advice =
    'Publish user.created with XADD, give each service one consumer group (XREADGROUP) shared by its replicas, ' +
    "XACK after the work, claim a dead consumer's pending entries (XAUTOCLAIM), and skip entries already handled (idempotency).";
  for (const [what, t] of [
    ['emails', mail],
    ['pushes', push],
  ] as const) {
    check(
      exactlyOnce(t, users),
      `${onceEach(t, users, what)} (per replica: ${describeReplicas(t.perReplica)}).${story(t, users, what)}\n${advice}`,
    );
  }
});

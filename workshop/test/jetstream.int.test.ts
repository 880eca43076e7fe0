/**
 * Steps 3 to 5 under chaos, on the local runtime (real NATS with JetStream,
 * real Redis, real SMTP into MailDev, the push sink):
 *
 * - step 3 (core NATS queue groups) loses the events a killed replica held;
 * - step 4 (JetStream durable consumers, ack after the work) loses none, but
 *   a crash after the send and before the ack sends that email twice;
 * - step 5 (idempotent consumers, Nats-Msg-Id) sends exactly one per user.
 *
 * Each scenario's wall time is printed: the target is under 20 s each.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USER_CREATE, USER_CREATED, type User } from '../../services/shared/src/events';
import { startBurst } from '../src/grading/chaos';
import { deleteStreamOf, jetStreamConsumer, waitForJetStreamReady } from './support/jetstream';
import {
  BURST_RATE,
  deliveredTwice,
  everyUserServed,
  isRunning,
  killMidBurst as killMidBurstOf,
  withoutDelivery,
} from '../src/grading/bursts';
import { Backing } from '../src/runtime/backing';
import { buildServices } from '../src/runtime/build';
import { Fleet } from '../src/runtime/fleet';
import { LatencyProxy } from '../src/runtime/latency-proxy';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { topology, withEnv, type ServiceName, type Topology } from '../src/runtime/topology';
import { waitFor } from '../src/runtime/wait';
import { describeReplicas } from '../src/grading/sinks';
import { makeTree } from '../src/steps/tree';
import { settle } from '../src/grading/traffic';

const REPO = join(__dirname, '..', '..');
const SOLUTIONS = join(REPO, 'solutions');
const logDir = defaultLogDir(REPO);
const USERS = 200;
/** Every email waits this long at the (slow) mail provider: a killed replica always has some in flight. */
const SMTP_DELAY_MS = 250;
/** Short, so a dead replica's unacked events come back within the test. */
const ACK_WAIT_MS = '2000';
/** Step 5: how long a dead replica's claims block its events (renewed while a live one works). */
const LEASE_MS = '3000';

let backing: Backing;
let slowSmtp: LatencyProxy;
let build: Record<'step3' | 'step4' | 'step5', string>;
let fleet: Fleet | undefined;
let chaosDir: string;
let started: number;

beforeAll(async () => {
  const tree = (name: string, steps: string[]) =>
    makeTree(
      REPO,
      name,
      steps.map((s) => join(SOLUTIONS, s)),
    );
  const [t3, t4, t5] = await Promise.all([
    tree('test-js-step3', ['03-queue-groups']),
    tree('test-js-step4', ['03-queue-groups', '04-jetstream']),
    tree('test-js-step5', ['03-queue-groups', '04-jetstream', '05-idempotency']),
  ]);
  const [step3, step4, step5] = await Promise.all([buildServices(t3), buildServices(t4), buildServices(t5)]);
  build = { step3, step4, step5 };
  backing = await Backing.start({ brokers: ['redis', 'nats'], buildDir: step3, logDir });
  slowSmtp = await LatencyProxy.start(backing.endpoints.smtpUrl, SMTP_DELAY_MS);
});

beforeEach(async () => {
  chaosDir = await mkdtemp(join(tmpdir(), 'workshop-chaos-'));
  started = Date.now();
});

afterEach(async () => {
  console.log(`${expect.getState().currentTestName}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await fleet?.stop();
  fleet = undefined;
  await backing.clearSinks();
  // The next scenario starts from an empty stream and new durables.
  await deleteStreamOf(backing.endpoints.natsUrl!, USER_CREATED, backing.endpoints.natsToken);
  await rm(chaosDir, { recursive: true, force: true });
});

afterAll(async () => {
  await slowSmtp?.stop();
  await backing?.stop();
});

/** JetStream consumers pull: the runtime has no subscription to wait on, so wait on the durables. */
function jetStreamTopology(
  env: Partial<Record<ServiceName, Record<string, string>>>,
  brokers: Topology['brokers'] = ['nats'],
): Topology {
  return { ...withEnv(topology('nats', 2, 2, brokers), env), waitForSubscriptions: false };
}

async function start(t: Topology, buildDir: string): Promise<Fleet> {
  fleet = await Fleet.start(t, backing.endpoints, buildDir, logDir);
  if (t.waitForSubscriptions === false) {
    await waitForJetStreamReady(backing.endpoints.natsMonitorUrl!, {
      requestSubject: USER_CREATE,
      durables: ['mail', 'push'],
    });
  }
  return fleet;
}

const emails = () => backing.mail.deliveries();
/** Kills `victim` once it has sent 5 emails, in the middle of a burst of USERS users. */
const killMidBurst = (f: Fleet, victim: string) => killMidBurstOf(f, emails, victim, { count: USERS });
const pushes = () => backing.push.deliveries();

async function waitForExit(f: Fleet, id: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(() => !isRunning(f, id), {
    what: `${id} to crash (CHAOS_CRASH_AFTER_SEND)`,
    timeoutMs,
  });
}

test('step 3, core NATS: a mail replica killed mid-burst takes its in-flight emails with it', async () => {
  const f = await start(withEnv(topology('nats', 2, 2), { mail: { SMTP_URL: slowSmtp.url() } }), build.step3);
  const { burst, createdAtKill } = await killMidBurst(f, 'mail-1');
  const users = await burst.done;
  expect(createdAtKill).toBeLessThan(USERS); // the kill landed mid-burst
  await f.startReplica('mail-1'); // back up: core NATS has nothing to give it

  const push = await settle(pushes, USERS); // push is untouched: every event was published
  expect(push.total).toBe(USERS);
  // Everything mail-2 and the dead mail-1 had sent is in; nothing else is coming.
  const mail = await settle(emails, USERS, { quietMs: 4 * SMTP_DELAY_MS, timeoutMs: 3_000 });
  const lost = withoutDelivery(users, mail);
  console.log(`step 3: killed mail-1 after ${createdAtKill} users; ${lost.length} of ${USERS} users got no email`);
  expect(lost.length).toBeGreaterThan(0); // at-most-once: lost, and never redelivered
  expect(mail.total).toBe(USERS - lost.length);
  expect(deliveredTwice(users, mail)).toEqual([]);
});

test('step 4, JetStream: the same kill loses no email, the killed replica`s events are redelivered', async () => {
  const f = await start(
    jetStreamTopology({
      mail: { SMTP_URL: slowSmtp.url(), JETSTREAM_ACK_WAIT_MS: ACK_WAIT_MS },
      push: { JETSTREAM_ACK_WAIT_MS: ACK_WAIT_MS },
    }),
    build.step4,
  );
  const { burst, createdAtKill } = await killMidBurst(f, 'mail-1');
  const users = await burst.done;
  expect(createdAtKill).toBeLessThan(USERS);
  await f.startReplica('mail-1');

  const mail = await everyUserServed(emails, users);
  const lost = withoutDelivery(users, mail);
  expect({ lost: lost.length, replicas: describeReplicas(mail.perReplica) }).toEqual({
    lost: 0,
    replicas: expect.any(String),
  });
  const push = await everyUserServed(pushes, users);
  expect(withoutDelivery(users, push)).toEqual([]);
  // The dead replica's unacked events came back: JetStream redelivered them.
  const consumer = await waitFor(
    async () => {
      const state = await jetStreamConsumer(backing.endpoints.natsMonitorUrl!, 'mail');
      return state?.ackPending === 0 && state;
    },
    { what: 'every delivery to mail to be acked' },
  );
  expect(consumer.redelivered).toBeGreaterThan(0);
});

/** Mail-1 and push-1 each crash once, right after their 20th send and before its ack; then they come back. */
async function crashAfterSendAndRestart(f: Fleet): Promise<User[]> {
  const burst = startBurst(f.gatewayUrl, USERS, { perSecond: BURST_RATE });
  const crashed = (id: string) =>
    waitFor(() => f.output(id).some((line) => line.includes('chaos: send #')), {
      what: `${id} to reach CHAOS_CRASH_AFTER_SEND`,
      timeoutMs: 15_000,
    });
  await Promise.all([crashed('mail-1'), crashed('push-1')]);
  expect(burst.created()).toBeLessThan(USERS); // mid-burst
  await Promise.all([waitForExit(f, 'mail-1'), waitForExit(f, 'push-1')]);
  await Promise.all([f.startReplica('mail-1'), f.startReplica('push-1')]);
  return burst.done;
}

function crashEnv(): Record<string, string> {
  return {
    JETSTREAM_ACK_WAIT_MS: ACK_WAIT_MS,
    IDEMPOTENCY_LEASE_MS: LEASE_MS,
    CHAOS_CRASH_AFTER_SEND: '20',
    CHAOS_CRASH_REPLICAS: 'mail-1,push-1',
    CHAOS_STATE_DIR: chaosDir,
  };
}

test('step 4, JetStream: a crash after the send and before the ack sends that email twice', async () => {
  const env = crashEnv();
  const f = await start(jetStreamTopology({ mail: env, push: env }), build.step4);
  const users = await crashAfterSendAndRestart(f);

  const mail = await everyUserServed(emails, users);
  const push = await everyUserServed(pushes, users);
  expect(withoutDelivery(users, mail)).toEqual([]);
  expect(withoutDelivery(users, push)).toEqual([]);
  // At-least-once: the 20th event was done but not acked, so it was done again.
  expect(deliveredTwice(users, mail).length).toBeGreaterThan(0);
  expect(deliveredTwice(users, push).length).toBeGreaterThan(0);
});

test('step 5, idempotent consumers: the same crash gives exactly one email and one push per user', async () => {
  const env = crashEnv();
  const f = await start(jetStreamTopology({ mail: env, push: env }, ['nats', 'redis']), build.step5);
  const users = await crashAfterSendAndRestart(f);

  const mail = await settle(emails, USERS, { quietMs: 1_000 });
  const push = await settle(pushes, USERS, { quietMs: 1_000 });
  expect({ emails: mail.total, pushes: push.total }).toEqual({ emails: USERS, pushes: USERS });
  for (const user of users) {
    expect(mail.perUser.get(user.id)).toBe(1);
    expect(push.perUser.get(user.id)).toBe(1);
  }
  // There was a redelivery, and it was skipped rather than sent.
  for (const durable of ['mail', 'push'] satisfies ServiceName[]) {
    const consumer = await jetStreamConsumer(backing.endpoints.natsMonitorUrl!, durable);
    expect({ durable, redelivered: (consumer?.redelivered ?? 0) > 0 }).toEqual({ durable, redelivered: true });
  }
});

test('step 5: a replica killed while its claims are held loses nothing: the leases expire, others send', async () => {
  // A lease longer than the burst and the ack wait: every claim mail-1 dies with is still held when its event comes back.
  const env = { JETSTREAM_ACK_WAIT_MS: ACK_WAIT_MS, IDEMPOTENCY_LEASE_MS: '8000' };
  const f = await start(
    jetStreamTopology({ mail: { ...env, SMTP_URL: slowSmtp.url() }, push: env }, ['nats', 'redis']),
    build.step5,
  );
  const { burst, createdAtKill } = await killMidBurst(f, 'mail-1');
  const users = await burst.done;
  expect(createdAtKill).toBeLessThan(USERS);
  await f.startReplica('mail-1');

  // A held claim sends its event back for the rest of the lease: nothing new may come for that long.
  const mail = await everyUserServed(emails, users, { stallMs: 10_000 });
  expect(withoutDelivery(users, mail)).toEqual([]);
  // Redeliveries of mail-1's events first found its claims held, and waited for the lease.
  const logs = await Promise.all(f.list('mail').map((r) => readFile(join(logDir, `${r.id}.log`), 'utf8')));
  expect(logs.some((log) => /is claimed by mail-1/.test(log))).toBe(true);
  const push = await settle(pushes, USERS);
  expect(push.total).toBe(USERS);
});

/**
 * Step 6 (bonus), the Redis-native fix: Redis Streams consumer groups, on
 * Redis alone (no NATS), with the reference solution's claim and ack. 2 mail +
 * 2 push replicas; mail-1 is made to die holding entries it read and never
 * handled (then a live consumer must claim them), or after an email went out
 * and before its XACK (at-least-once: that email goes out again).
 * Counts are read back from MailDev and the push sink.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { USER_CREATE, USER_CREATED, type User } from '../../services/shared/src/events';
import { isRunning, onceEach as onceEachOf } from '../src/grading/bursts';
import { StreamsProbe } from '../src/grading/streams-probe';
import { waitForDrained, waitForStreamConsumers } from './support/streams';
import { Backing } from '../src/runtime/backing';
import { buildServices } from '../src/runtime/build';
import { Fleet } from '../src/runtime/fleet';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { topology, withEnv } from '../src/runtime/topology';
import { waitFor } from '../src/runtime/wait';
import { describeReplicas, type Tally } from '../src/grading/sinks';
import { makeTree } from '../src/steps/tree';
import { createUsers, settle } from '../src/grading/traffic';

const REPO = join(__dirname, '..', '..');
const STEP_6 = join(REPO, 'solutions', '06-redis-streams');
const logDir = defaultLogDir(REPO);

let backing: Backing;
let probe: StreamsProbe;
let streamsBuild: string;
let fleet: Fleet | undefined;
let chaosDir: string;

beforeAll(async () => {
  streamsBuild = await buildServices(await makeTree(REPO, 'test-redis-streams', [STEP_6]));
  backing = await Backing.start({ brokers: ['redis'], buildDir: streamsBuild, logDir });
  probe = await StreamsProbe.connect(backing.endpoints.redisUrl!);
});

beforeEach(async () => {
  chaosDir = await mkdtemp(join(tmpdir(), 'workshop-chaos-'));
});

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await backing?.clearSinks();
  await probe?.flush(); // streams, groups and idempotency records: each test starts from an empty Redis
  await rm(chaosDir, { recursive: true, force: true });
});

afterAll(async () => {
  await probe?.close();
  await backing?.stop();
});

interface Run {
  /** XAUTOCLAIM's min-idle-time of every consumer. */
  claimIdleMs: number;
  /**
   * How mail-1 dies (once: a restart runs normally). 'read': when its n-th entry is about to be
   * handled, it holds that one and the next ones it reads unstarted, lets running work finish,
   * then dies. 'send': right after its n-th email, before the XACK.
   */
  crashMail1: { after: number; when: 'read' | 'send' };
}

/** 2 mail + 2 push replicas on Redis only, started, and each consumer reading its group. */
async function start(buildDir: string, { claimIdleMs, crashMail1 }: Run): Promise<Fleet> {
  const claim = { REDIS_STREAMS_CLAIM_IDLE_MS: String(claimIdleMs) };
  const env = {
    mail: claim,
    push: claim,
    'mail-1': {
      [crashMail1.when === 'read' ? 'CHAOS_CRASH_AFTER_READ' : 'CHAOS_CRASH_AFTER_SEND']: String(crashMail1.after),
      CHAOS_STATE_DIR: chaosDir, // once: its restart runs normally
      CHAOS_CRASH_GRACE_MS: '2000',
      // 'send': one email at a time, so that email is out, its XACK is not, and no other email is
      // half-sent (which could go either way). 'read': three at a time, so it dies holding several.
      REDIS_STREAMS_CONCURRENCY: crashMail1.when === 'read' ? '3' : '1',
    },
  };
  // Consumers pull from the stream: they hold no pub/sub subscription to count (waited on below).
  const t = { ...withEnv(topology('redis', 2, 2), env), waitForSubscriptions: false };
  fleet = await Fleet.start(t, backing.endpoints, buildDir, logDir);
  await waitForStreamConsumers(probe, {
    stream: USER_CREATED,
    consumers: { mail: ['mail-1', 'mail-2'], push: ['push-1', 'push-2'] },
    channels: [USER_CREATE], // the user service answers the gateway over plain Redis request-response
  });
  return fleet;
}

async function waitForCrash(id: string): Promise<void> {
  await waitFor(() => !isRunning(fleet!, id), { what: `${id} to crash (CHAOS_CRASH_AFTER_SEND)`, timeoutMs: 20_000 });
  expect(fleet!.output(id).join('\n')).toMatch(
    /chaos: (send #\d+ done; no more acks|event #\d+ read; no more handlers)/,
  );
}

/** "200 deliveries for 200 users: 0 missing, 0 more than once": one line that says what is wrong. */
const onceEach = (t: Tally, users: User[]) => onceEachOf(t, users, 'deliveries');

function outputOf(ids: string[]): string {
  return ids.map((id) => fleet!.output(id).join('\n')).join('\n');
}

test('200 users, mail-1 dies holding entries it read and never handled, and stays down: mail-2 claims them, exactly 200 emails and 200 pushes', async () => {
  const { gatewayUrl } = await start(streamsBuild, { claimIdleMs: 1_000, crashMail1: { after: 5, when: 'read' } });
  const users = await createUsers(gatewayUrl, 200);
  await waitForCrash('mail-1');

  // mail-1 never comes back: only a claim by mail-2 can finish its work.
  await waitForDrained(probe, USER_CREATED, ['mail', 'push']);
  const mail = await settle(() => backing.mail.deliveries(), 200);
  const push = await settle(() => backing.push.deliveries(), 200);
  expect(onceEach(mail, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  expect(onceEach(push, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  expect(outputOf(['mail-2'])).toMatch(/claimed \d+ entr/);
  // One group per service shares the load between its replicas; mail-1 handled its first 4 only.
  expect(mail.perReplica.get('mail-1')).toBe(4);
  expect(mail.perReplica.get('mail-2')).toBe(196);
  for (const id of ['push-1', 'push-2']) expect(push.perReplica.get(id) ?? 0).toBeGreaterThan(0);
});

test('200 users, mail-1 dies holding entries it read and is restarted: it re-reads its own pending entries, exactly 200 emails and 200 pushes', async () => {
  // A claim idle time longer than the test: nobody else may take mail-1's entries.
  const { gatewayUrl } = await start(streamsBuild, { claimIdleMs: 60_000, crashMail1: { after: 5, when: 'read' } });
  const burst = createUsers(gatewayUrl, 200);
  await waitForCrash('mail-1');
  const pendingAtCrash = (await probe.consumers(USER_CREATED, 'mail')).find((c) => c.name === 'mail-1')?.pending;
  expect(pendingAtCrash).toBeGreaterThan(0);
  await fleet!.startReplica('mail-1');
  const users = await burst;

  await waitForDrained(probe, USER_CREATED, ['mail', 'push']);
  const mail = await settle(() => backing.mail.deliveries(), 200);
  const push = await settle(() => backing.push.deliveries(), 200);
  expect(onceEach(mail, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  expect(onceEach(push, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
});

test('at-least-once: mail-1 dies after an email went out and before its XACK; mail-2 claims the entry and sends that email again', async () => {
  const { gatewayUrl } = await start(streamsBuild, { claimIdleMs: 1_000, crashMail1: { after: 5, when: 'send' } });
  const users = await createUsers(gatewayUrl, 60);
  await waitForCrash('mail-1');

  await waitForDrained(probe, USER_CREATED, ['mail', 'push']);
  const mail = await settle(() => backing.mail.deliveries(), 61);
  const push = await settle(() => backing.push.deliveries(), 60);
  // The one duplicate is the window step 5's idempotent consumer closes; nothing is lost.
  expect(onceEach(mail, users)).toBe('61 deliveries for 60 users: 0 missing, 1 more than once');
  expect(describeReplicas(mail.perReplica)).toBe('mail-1: 5, mail-2: 56');
  expect(onceEach(push, users)).toBe('60 deliveries for 60 users: 0 missing, 0 more than once');
});

/**
 * Step 6 (bonus), the Redis-native fix: Redis Streams consumer groups, on
 * Redis alone (no NATS). 2 mail + 2 push replicas; mail-1 is made to crash
 * after an email went out and before its XACK, which forces a redelivery.
 * Counts are read back from MailDev and the push sink.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
const STEP_5 = join(REPO, 'solutions', '05-idempotency');
const STEP_6 = join(REPO, 'solutions', '06-redis-streams');
/** The line of the solution's main.ts that turns the transport's idempotency guard on. */
const GUARD_LINE = /^\s*idempotency: \{[^\n]*\},?\n/m;
const logDir = defaultLogDir(REPO);

let backing: Backing;
let probe: StreamsProbe;
let streamsBuild: string;
let noGuardBuild: string;
let handlerGuardBuild: string;
let fleet: Fleet | undefined;
let chaosDir: string;

/** Takes the transport's idempotency option out of a service's main.ts. */
async function removeGuard(tree: string, service: 'mail' | 'push'): Promise<void> {
  const main = join(tree, 'services', service, 'src', 'main.ts');
  const source = await readFile(main, 'utf8');
  if (!GUARD_LINE.test(source))
    throw new Error(`step 6's ${service} main.ts no longer has an \`idempotency: { ... }\` line`);
  await writeFile(main, source.replace(GUARD_LINE, ''));
}

beforeAll(async () => {
  const streamsTree = await makeTree(REPO, 'test-redis-streams', [STEP_6]);
  // The same solution, with mail's guard taken out.
  const noGuardTree = await makeTree(REPO, 'test-redis-streams-no-guard', [STEP_6]);
  await removeGuard(noGuardTree, 'mail');
  // Another correct solution: step 5's guard on every handler (IdempotencyModule, on Redis already)
  // carried into step 6, and no guard in the transport.
  const handlerGuardTree = await makeTree(REPO, 'test-redis-streams-handler-guard', [STEP_6]);
  const guard = join('services', 'shared', 'src', 'idempotency', 'handle-once.ts');
  await writeFile(join(handlerGuardTree, guard), await readFile(join(STEP_5, guard), 'utf8'));
  for (const service of ['mail', 'push'] as const) {
    await removeGuard(handlerGuardTree, service);
    const path = join('services', service, 'src', `${service}.module.ts`);
    await writeFile(join(handlerGuardTree, path), await readFile(join(STEP_5, path), 'utf8'));
  }

  [streamsBuild, noGuardBuild, handlerGuardBuild] = await Promise.all(
    [streamsTree, noGuardTree, handlerGuardTree].map((tree) => buildServices(tree)),
  );
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
  /** mail-1 crashes right after its n-th email, before the XACK (once: a restart runs normally). */
  crashMail1After: number;
}

/** 2 mail + 2 push replicas on Redis only, started, and each consumer reading its group. */
async function start(buildDir: string, { claimIdleMs, crashMail1After }: Run): Promise<Fleet> {
  const claim = { REDIS_STREAMS_CLAIM_IDLE_MS: String(claimIdleMs) };
  const env = {
    mail: claim,
    push: claim,
    'mail-1': {
      CHAOS_CRASH_AFTER_SEND: String(crashMail1After),
      CHAOS_STATE_DIR: chaosDir, // once: its restart runs normally
      // One email at a time, so the crash lands at a known point: that email is out, its XACK
      // is not, and no other email is half-sent (which could go either way).
      REDIS_STREAMS_CONCURRENCY: '1',
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
  expect(fleet!.output(id).join('\n')).toMatch(/chaos: send #\d+ done; no more acks/);
}

/** "200 deliveries for 200 users: 0 missing, 0 more than once": one line that says what is wrong. */
const onceEach = (t: Tally, users: User[]) => onceEachOf(t, users, 'deliveries');

function outputOf(ids: string[]): string {
  return ids.map((id) => fleet!.output(id).join('\n')).join('\n');
}

test('200 users, mail-1 crashes after an email and before its XACK and stays down: mail-2 claims its entries, exactly 200 emails and 200 pushes', async () => {
  const { gatewayUrl } = await start(streamsBuild, { claimIdleMs: 1_000, crashMail1After: 5 });
  const users = await createUsers(gatewayUrl, 200);
  await waitForCrash('mail-1');

  // mail-1 never comes back: only XAUTOCLAIM by mail-2 can finish its work.
  await waitForDrained(probe, USER_CREATED, ['mail', 'push']);
  const mail = await settle(() => backing.mail.deliveries(), 200);
  const push = await settle(() => backing.push.deliveries(), 200);
  expect(onceEach(mail, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  expect(onceEach(push, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  // The redelivery happened, and the guard caught it.
  expect(outputOf(['mail-2'])).toMatch(/claimed \d+ entr/);
  expect(outputOf(['mail-2'])).toMatch(/already handled by group mail \(mail-1\): acked, not run again/);
  // One group per service shares the load between its replicas.
  expect(mail.perReplica.get('mail-1')).toBe(5);
  expect(mail.perReplica.get('mail-2')).toBe(195);
  for (const id of ['push-1', 'push-2']) expect(push.perReplica.get(id) ?? 0).toBeGreaterThan(0);
});

test('200 users, mail-1 crashes after an email and before its XACK and is restarted: it re-reads its own pending entries, exactly 200 emails and 200 pushes', async () => {
  // A claim idle time longer than the test: nobody else may take mail-1's entries.
  const { gatewayUrl } = await start(streamsBuild, { claimIdleMs: 60_000, crashMail1After: 5 });
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
  expect(outputOf(['mail-1'])).toMatch(/already handled by group mail \(mail-1\): acked, not run again/);
});

test('without the idempotency guard, the forced redelivery sends one user a second email', async () => {
  const { gatewayUrl } = await start(noGuardBuild, { claimIdleMs: 1_000, crashMail1After: 5 });
  const users = await createUsers(gatewayUrl, 60);
  await waitForCrash('mail-1');

  await waitForDrained(probe, USER_CREATED, ['mail', 'push']);
  const mail = await settle(() => backing.mail.deliveries(), 61);
  const push = await settle(() => backing.push.deliveries(), 60);
  // mail-1 sent its 5th email, died before the XACK; mail-2 claimed the entry and sent it again.
  expect(onceEach(mail, users)).toBe('61 deliveries for 60 users: 0 missing, 1 more than once');
  expect(describeReplicas(mail.perReplica)).toBe('mail-1: 5, mail-2: 56');
  expect(onceEach(push, users)).toBe('60 deliveries for 60 users: 0 missing, 0 more than once');
});

test("step 5's idempotent handlers instead of the transport's guard: 200 users with the crash, exactly 200 emails and 200 pushes", async () => {
  const { gatewayUrl } = await start(handlerGuardBuild, { claimIdleMs: 1_000, crashMail1After: 5 });
  const users = await createUsers(gatewayUrl, 200);
  await waitForCrash('mail-1');

  await waitForDrained(probe, USER_CREATED, ['mail', 'push']);
  const mail = await settle(() => backing.mail.deliveries(), 200);
  const push = await settle(() => backing.push.deliveries(), 200);
  expect(onceEach(mail, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  expect(onceEach(push, users)).toBe('200 deliveries for 200 users: 0 missing, 0 more than once');
  expect(outputOf(['mail-2'])).toMatch(/mail: event \S+ already handled: skipped/);
});

/**
 * The system on the local runtime, in the configurations of steps 1 to 3:
 * real Redis, real NATS, real SMTP into MailDev, a real push sink. Counts are
 * read back from the sinks.
 */
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Backing } from '../src/runtime/backing';
import { buildServices } from '../src/runtime/build';
import { Fleet } from '../src/runtime/fleet';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { topology, type Topology } from '../src/runtime/topology';
import { describeReplicas } from '../src/grading/sinks';
import { getStep } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';
import { applyVariant, loadVariants } from '../src/steps/variants';
import { createUser, createUsers, settle } from '../src/grading/traffic';

const REPO = join(__dirname, '..', '..');
const logDir = defaultLogDir(REPO);
let backing: Backing;
let redisBuild: string;
let natsBuild: string;
let sharedQueueBuild: string;
let fleet: Fleet | undefined;

beforeAll(async () => {
  const natsTree = await makeTree(REPO, 'test-nats', [join(REPO, 'solutions', '03-queue-groups')]);
  // The pitfall: push joins mail's queue group instead of its own (a known-wrong variant of step 3).
  const pitfallTree = await makeTree(REPO, 'test-shared-queue', [join(REPO, 'solutions', '03-queue-groups')]);
  const pitfall = loadVariants(getStep(3)).find((v) => v.name === 'shared-queue');
  if (!pitfall) throw new Error('step 3 has no "shared-queue" variant any more');
  await applyVariant(pitfallTree, pitfall);

  [redisBuild, natsBuild, sharedQueueBuild] = await Promise.all([
    buildServices(REPO),
    buildServices(natsTree),
    buildServices(pitfallTree),
  ]);
  backing = await Backing.start({ brokers: ['redis', 'nats'], buildDir: redisBuild, logDir });
});

afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await backing?.clearSinks();
});

afterAll(async () => {
  await backing?.stop();
});

async function run(t: Topology, buildDir: string): Promise<Fleet> {
  fleet = await Fleet.start(t, backing.endpoints, buildDir, logDir);
  return fleet;
}

test('redis, 1 replica each: one user gives exactly 1 email and 1 push', async () => {
  const { gatewayUrl } = await run(topology('redis', 1, 1), redisBuild);
  const user = await createUser(gatewayUrl, 'ada@example.com', 'Ada');

  const mail = await settle(() => backing.mail.deliveries(), 1);
  const push = await settle(() => backing.push.deliveries(), 1);
  expect(mail.perUser.get(user.id)).toBe(1);
  expect(push.perUser.get(user.id)).toBe(1);
  expect(mail.total).toBe(1);
  expect(push.total).toBe(1);
});

test('redis, 2 mail + 2 push replicas: one user gives 2 emails and 2 pushes (the bug)', async () => {
  const { gatewayUrl } = await run(topology('redis', 2, 2), redisBuild);
  const user = await createUser(gatewayUrl, 'grace@example.com', 'Grace');

  const mail = await settle(() => backing.mail.deliveries(), 2);
  const push = await settle(() => backing.push.deliveries(), 2);
  expect(mail.perUser.get(user.id)).toBe(2);
  expect(push.perUser.get(user.id)).toBe(2);
  // Every replica got the event: pub/sub fans out to each subscriber.
  expect(describeReplicas(mail.perReplica)).toBe('mail-1: 1, mail-2: 1');
  expect(describeReplicas(push.perReplica)).toBe('push-1: 1, push-2: 1');
});

test('nats with queue groups, 2 + 2 replicas: 50 users give exactly 50 emails and 50 pushes', async () => {
  const { gatewayUrl } = await run(topology('nats', 2, 2), natsBuild);
  const users = await createUsers(gatewayUrl, 50);

  const mail = await settle(() => backing.mail.deliveries(), 50);
  const push = await settle(() => backing.push.deliveries(), 50);
  expect(mail.total).toBe(50);
  expect(push.total).toBe(50);
  for (const user of users) {
    expect(mail.perUser.get(user.id)).toBe(1);
    expect(push.perUser.get(user.id)).toBe(1);
  }
  // Load is shared: each replica handled some.
  for (const id of ['mail-1', 'mail-2']) expect(mail.perReplica.get(id) ?? 0).toBeGreaterThan(0);
  for (const id of ['push-1', 'push-2']) expect(push.perReplica.get(id) ?? 0).toBeGreaterThan(0);
});

test('nats where mail and push share one queue name: each event reaches only one of them', async () => {
  const { gatewayUrl } = await run(topology('nats', 2, 2), sharedQueueBuild);
  const users = await createUsers(gatewayUrl, 20);

  // One queue group for both services: 20 events, 20 deliveries in all.
  const read = async () => [...(await backing.mail.deliveries()), ...(await backing.push.deliveries())];
  const both = await settle(read, 20);
  expect(both.total).toBe(20);
  for (const user of users) expect(both.perUser.get(user.id)).toBe(1);
  const mail = await backing.mail.deliveries();
  const push = await backing.push.deliveries();
  // So some users got no email, and the others no push.
  expect(mail.length).toBeLessThan(20);
  expect(push.length).toBeLessThan(20);
});

describe('bad input to the gateway', () => {
  let gatewayUrl: string;
  let gatewayFleet: Fleet;
  // One fleet for all the cases: the gateway must survive each bad request.
  beforeAll(async () => {
    gatewayFleet = await Fleet.start(topology('redis', 1, 1), backing.endpoints, redisBuild, logDir);
    gatewayUrl = gatewayFleet.gatewayUrl;
  });
  afterAll(() => gatewayFleet.stop());

  async function post(body: string, contentType = 'application/json'): Promise<{ status: number; message: string }> {
    const response = await fetch(`${gatewayUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    const json = (await response.json()) as { message: string | string[] };
    return { status: response.status, message: [json.message].flat().join('; ') };
  }

  test('a body that is not JSON: 415 saying what to send, and the next valid request works', async () => {
    const answer = await post('email=a@b.co&name=Ann', 'application/x-www-form-urlencoded');
    expect(answer.status).toBe(415);
    expect(answer.message).toMatch(/Content-Type: application\/json/);
    expect((await createUser(gatewayUrl, 'form@example.com', 'Form')).email).toBe('form@example.com');
  });

  test('spaces around a name are dropped', async () => {
    expect((await createUser(gatewayUrl, 'trim@example.com', '  Ann  ')).name).toBe('Ann');
  });

  test.each([
    ['malformed JSON', '{"email": "a@b.co", "name": ', 400, /JSON/i],
    ['missing email', JSON.stringify({ name: 'Ann' }), 400, /email/],
    ['invalid email', JSON.stringify({ email: 'not-an-email', name: 'Ann' }), 400, /email must be a valid email/],
    ['empty name', JSON.stringify({ email: 'a@b.co', name: '' }), 400, /name must be 1 to 100/],
    ['name too long', JSON.stringify({ email: 'a@b.co', name: 'x'.repeat(101) }), 400, /name must be 1 to 100/],
    [
      'extra field',
      JSON.stringify({ email: 'a@b.co', name: 'Ann', admin: true }),
      400,
      /property admin should not exist/,
    ],
    ['not an object', JSON.stringify(['a@b.co']), 400, /email|name/],
    ['oversized body', JSON.stringify({ email: 'a@b.co', name: 'x'.repeat(20_000) }), 413, /too large/i],
    ['a name of spaces only', JSON.stringify({ email: 'a@b.co', name: '   ' }), 400, /name must be 1 to 100/],
  ])('%s', async (_case, body, status, message) => {
    const answer = await post(body as string);
    expect(answer.status).toBe(status);
    expect(answer.message).toMatch(message);
    // The gateway is still up and the next valid request goes through.
    const user = await createUser(gatewayUrl, 'after@example.com', 'After');
    expect(user.email).toBe('after@example.com');
  });
});

test('the local NATS requires its token, as the Docker stack does: no token and a wrong one are refused', async () => {
  const { natsUrl, natsToken } = backing.endpoints;
  expect(natsToken).toBeTruthy();
  await expect(connect({ servers: natsUrl! })).rejects.toThrow(/Authorization Violation/);
  await expect(connect({ servers: natsUrl!, token: `${natsToken}x` })).rejects.toThrow(/Authorization Violation/);
  const nc = await connect({ servers: natsUrl!, token: natsToken });
  await nc.close();
});

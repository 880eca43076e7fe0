/**
 * Step 2, live: with 2 mail and 2 push replicas on Redis pub/sub, one user
 * gets 2 emails and 2 pushes (the bug, measured), and your counter says so.
 */
import { join } from 'node:path';
import {
  gradingTree,
  check,
  checkEqual,
  GradeError,
  startSystem,
  plannedTopology,
  describeReplicas,
  createUser,
  settle,
  type LiveSystem,
} from '../../../workshop/src/grading';

type Counter = (mailDevUrl: string, pushSinkUrl: string) => Promise<Record<string, { emails: number; pushes: number }>>;

let system: LiveSystem;

beforeAll(async () => {
  system = await startSystem(
    await plannedTopology({ mailReplicas: 2, pushReplicas: 2 }),
    'Still Redis in step 2: only the number of mail and push replicas changes.',
  );
});

afterAll(() => system?.stop());

test('one user gets 2 emails and 2 pushes: every replica handled the event', async () => {
  const user = await createUser(system.gatewayUrl, 'grace@example.com', 'Grace Hopper');
  const mail = await settle(() => system.backing.mail.deliveries(), 2);
  const push = await settle(() => system.backing.push.deliveries(), 2);
  checkEqual(
    mail.perUser.get(user.id) ?? 0,
    2,
    'emails for one user with 2 mail replicas',
    `Per replica: ${describeReplicas(mail.perReplica)}.`,
  );
  checkEqual(
    push.perUser.get(user.id) ?? 0,
    2,
    'pushes for one user with 2 push replicas',
    `Per replica: ${describeReplicas(push.perReplica)}.`,
  );

  let countDeliveries: Counter;
  try {
    ({ countDeliveries } = (await import(join(gradingTree(), 'measure', 'count-deliveries.ts'))) as {
      countDeliveries: Counter;
    });
  } catch (error) {
    throw new GradeError(`measure/count-deliveries.ts could not be loaded: ${(error as Error).message}`);
  }
  const counts = await countDeliveries(system.backing.endpoints.mailDevUrl, system.backing.endpoints.pushSinkUrl);
  const mine = counts[user.id];
  check(
    mine,
    `countDeliveries() returned no entry for the user ${user.id}: count each email under the user id in its x-user-id header (MailDev lower-cases header names).`,
  );
  checkEqual(mine.emails, 2, 'emails that countDeliveries() counted for the user');
  checkEqual(mine.pushes, 2, 'pushes that countDeliveries() counted for the user');
});

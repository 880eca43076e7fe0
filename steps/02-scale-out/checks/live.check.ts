/**
 * Step 2, live: with 2 mail and 2 push replicas on Redis pub/sub, each user
 * gets 2 emails and 2 pushes (the bug, measured), and your counter, keyed by
 * user id, says what MailDev and the push sink hold.
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
  type Tally,
} from '../../../workshop/src/grading';

type Counts = Record<string, { emails: number; pushes: number } | undefined>;
type Counter = (mailDevUrl: string, pushSinkUrl: string) => Promise<Counts>;

let system: LiveSystem;

beforeAll(async () => {
  system = await startSystem(
    await plannedTopology({ mailReplicas: 2, pushReplicas: 2 }),
    'Still Redis in step 2: only the number of mail and push replicas changes.',
  );
});

afterAll(() => system?.stop());

async function loadCounter(): Promise<Counter> {
  try {
    const module = (await import(join(gradingTree(), 'measure', 'count-deliveries.ts'))) as {
      countDeliveries?: Counter;
    };
    check(typeof module.countDeliveries === 'function', 'measure/count-deliveries.ts exports no countDeliveries().');
    return module.countDeliveries;
  } catch (error) {
    if (error instanceof GradeError) throw error;
    throw new GradeError(`measure/count-deliveries.ts could not be loaded: ${(error as Error).message}`);
  }
}

/** Why a counter found fewer emails than MailDev holds, when it found none. */
const NO_EMAILS =
  ' MailDev holds them, each with the X-User-Id header the mail service stamps, but MailDev lists header names ' +
  'in lower case (x-user-id): a counter that looks the header up as the mail service spells it finds nothing.';

test('two users get 2 emails and 2 pushes each, one from each replica, and your counter says so', async () => {
  const users = [
    await createUser(system.gatewayUrl, 'grace@example.com', 'Grace Hopper'),
    await createUser(system.gatewayUrl, 'ada@example.com', 'Ada Lovelace'),
  ];
  const arrived: Record<'emails' | 'pushes', Tally> = {
    emails: await settle(() => system.backing.mail.deliveries(), 4),
    pushes: await settle(() => system.backing.push.deliveries(), 4),
  };
  for (const user of users) {
    checkEqual(
      arrived.emails.perUser.get(user.id) ?? 0,
      2,
      `emails for ${user.email} with 2 mail replicas`,
      `Per replica: ${describeReplicas(arrived.emails.perReplica)}.`,
    );
    checkEqual(
      arrived.pushes.perUser.get(user.id) ?? 0,
      2,
      `pushes for ${user.email} with 2 push replicas`,
      `Per replica: ${describeReplicas(arrived.pushes.perReplica)}.`,
    );
  }

  const countDeliveries = await loadCounter();
  const counts = await countDeliveries(system.backing.endpoints.mailDevUrl, system.backing.endpoints.pushSinkUrl);
  const keys = Object.keys(counts ?? {});
  for (const user of users) {
    const mine = counts?.[user.id];
    const emails = mine?.emails ?? 0;
    check(
      mine,
      `countDeliveries() returned no entry under the user id ${user.id} (${user.email}), for whom MailDev holds 2 emails and the push sink 2 pushes. ` +
        `It returned entries for: ${keys.slice(0, 5).join(', ') || 'nothing'}. Count each email and each push under the id of the user it was for (measure/count-deliveries.ts).` +
        (keys.length === 0 ? NO_EMAILS : ''),
    );
    check(
      emails === 2,
      `emails that countDeliveries() counted for ${user.email}: expected 2 (what MailDev holds for that user id), saw ${emails}.` +
        (emails === 0
          ? NO_EMAILS
          : ' Count each email once, under the user id in its header (measure/count-deliveries.ts).'),
    );
    checkEqual(
      mine.pushes,
      2,
      `pushes that countDeliveries() counted for ${user.email}`,
      'Count each push once, under its userId (the push sink lists every notification it received).',
    );
  }
});

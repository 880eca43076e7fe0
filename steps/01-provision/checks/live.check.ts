/**
 * Step 1, live: the system your Pulumi program declares, run as local
 * processes: one user gives exactly one email and one push.
 */
import {
  checkEqual,
  startSystem,
  plannedTopology,
  createUser,
  settle,
  type LiveSystem,
} from '../../../workshop/src/grading';

let system: LiveSystem;

beforeAll(async () => {
  system = await startSystem(
    await plannedTopology({}),
    'In step 1 every service talks through Redis (REDIS_URL); mail needs SMTP_URL, push needs PUSH_SINK_URL.',
  );
});

afterAll(() => system?.stop());

test('one user gives exactly one email and one push', async () => {
  const user = await createUser(system.gatewayUrl, 'ada@example.com', 'Ada Lovelace');
  const mail = await settle(() => system.backing.mail.deliveries(), 1);
  const push = await settle(() => system.backing.push.deliveries(), 1);
  checkEqual(
    mail.perUser.get(user.id) ?? 0,
    1,
    'welcome emails for one new user',
    "Look at the mail replica's log in " + system.logDir,
  );
  checkEqual(
    push.perUser.get(user.id) ?? 0,
    1,
    'push notifications for one new user',
    "Look at the push replica's log in " + system.logDir,
  );
});

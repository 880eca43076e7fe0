import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../steps/manifest';
import { createUser, settle } from '../grading/traffic';
import { MailDevClient, PushSinkClient, tally } from '../grading/sinks';

export const ENDPOINTS_FILE = join(REPO, '.workshop', 'local-endpoints.json');

interface Endpoints {
  gatewayUrl: string;
  mailDevUrl: string;
  pushSinkUrl: string;
}

type Counter = (mailDevUrl: string, pushSinkUrl: string) => Promise<Record<string, { emails: number; pushes: number }>>;

/**
 * `workshop measure [USERS]`: against the system `npm run local` runs, prints
 * for each user what arrived (emails and pushes in MailDev and the push sink)
 * and what YOUR countDeliveries (measure/, step 2) counts. With USERS, it
 * creates that many users first and counts those; without, it counts the
 * users already there (the ones you created).
 */
export async function measureCommand(create: number | undefined): Promise<number> {
  let endpoints: Endpoints;
  try {
    endpoints = JSON.parse(await readFile(ENDPOINTS_FILE, 'utf8')) as Endpoints;
  } catch {
    console.error(
      'No local system is running: start one in another terminal with `npm run local -- redis --mail 2 --push 2`.',
    );
    return 1;
  }
  const mail = new MailDevClient(endpoints.mailDevUrl);
  const push = new PushSinkClient(endpoints.pushSinkUrl);
  let users: { id: string; email: string }[];
  if (create) {
    const stamp = Date.now();
    users = [];
    for (let i = 1; i <= create; i++)
      users.push(await createUser(endpoints.gatewayUrl, `measure-${stamp}-${i}@example.com`, `Measure ${i}`));
    // Wait until the sinks stop changing: every replica has had its chance to deliver.
    await settle(() => mail.deliveries(), create);
    await settle(() => push.deliveries(), create);
  } else {
    const emails = await mail.deliveries();
    const seen = new Map(emails.map((e) => [e.userId, e.to]));
    for (const p of await push.deliveries()) if (!seen.has(p.userId)) seen.set(p.userId, `(user ${p.userId})`);
    users = [...seen].map(([id, email]) => ({ id, email }));
    if (users.length === 0) {
      console.log(
        'No user has had an email or a push yet: create one (the curl line `npm run local` printed), ' +
          'or let measure create some: `npm run workshop -- measure 3`.',
      );
      return 0;
    }
  }
  const arrived = { emails: tally(await mail.deliveries()), pushes: tally(await push.deliveries()) };
  const { countDeliveries } = (await import(join(REPO, 'measure', 'count-deliveries'))) as { countDeliveries: Counter };
  const counts = await countDeliveries(endpoints.mailDevUrl, endpoints.pushSinkUrl);
  console.log(`${''.padEnd(38)}   ${'arrived'.padEnd(15)}   your counter`);
  console.log(`${'user'.padEnd(38)}   emails  pushes    emails  pushes`);
  const n = (value: number) => String(value).padStart(6);
  for (const user of users) {
    const c = counts[user.id] ?? { emails: 0, pushes: 0 };
    const a = { emails: arrived.emails.perUser.get(user.id) ?? 0, pushes: arrived.pushes.perUser.get(user.id) ?? 0 };
    console.log(
      `${user.email.slice(0, 38).padEnd(38)}   ${n(a.emails)}  ${n(a.pushes)}    ${n(c.emails)}  ${n(c.pushes)}`,
    );
  }
  console.log(
    '\n(arrived: what MailDev and the push sink hold; your counter: countDeliveries in measure/count-deliveries.ts, ' +
      'which counts nothing until you write it in step 2. One email and one push each is the goal.)',
  );
  return 0;
}

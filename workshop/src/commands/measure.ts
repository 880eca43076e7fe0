import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO } from '../steps/manifest';
import { createUser, settle } from '../grading/traffic';
import { MailDevClient, PushSinkClient } from '../grading/sinks';

export const ENDPOINTS_FILE = join(REPO, '.workshop', 'local-endpoints.json');

interface Endpoints {
  gatewayUrl: string;
  mailDevUrl: string;
  pushSinkUrl: string;
}

type Counter = (mailDevUrl: string, pushSinkUrl: string) => Promise<Record<string, { emails: number; pushes: number }>>;

/**
 * `workshop measure [users]`: against the system `npm run local` runs,
 * creates users and prints, with YOUR countDeliveries (measure/), how many
 * emails and pushes each one got.
 */
export async function measureCommand(usersArg: string | undefined): Promise<number> {
  let endpoints: Endpoints;
  try {
    endpoints = JSON.parse(await readFile(ENDPOINTS_FILE, 'utf8')) as Endpoints;
  } catch {
    console.error(
      'No local system is running: start one in another terminal with `npm run local -- redis --mail 2 --push 2`.',
    );
    return 1;
  }
  const { countDeliveries } = (await import(join(REPO, 'measure', 'count-deliveries'))) as { countDeliveries: Counter };
  const count = Number(usersArg ?? 3);
  const stamp = Date.now();
  const users = [];
  for (let i = 1; i <= count; i++)
    users.push(await createUser(endpoints.gatewayUrl, `measure-${stamp}-${i}@example.com`, `Measure ${i}`));
  // Wait until the sinks stop changing: every replica has had its chance to deliver.
  await settle(() => new MailDevClient(endpoints.mailDevUrl).deliveries(), count);
  await settle(() => new PushSinkClient(endpoints.pushSinkUrl).deliveries(), count);

  const counts = await countDeliveries(endpoints.mailDevUrl, endpoints.pushSinkUrl);
  console.log('user                                   emails  pushes');
  for (const user of users) {
    const c = counts[user.id] ?? { emails: 0, pushes: 0 };
    console.log(`${user.email.padEnd(38)} ${String(c.emails).padStart(6)}  ${String(c.pushes).padStart(6)}`);
  }
  console.log('\n(counted by countDeliveries in measure/count-deliveries.ts: one email and one push each is the goal)');
  return 0;
}

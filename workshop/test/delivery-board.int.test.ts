/**
 * The delivery board in a real browser (Debian Chromium), on the guide's dev
 * server, fed by a running system (real Redis, real NATS with JetStream, real
 * SMTP into MailDev, the push sink):
 *
 * - Redis pub/sub, 2 mail + 2 push: "10 users" gives 20 emails, every user a duplicate;
 * - NATS queue groups (end of step 3): 10 users, 10 emails, no duplicate;
 * - JetStream (end of step 4): mail-1 killed mid-burst from the board, restarted: no user lost.
 *
 * In each, the board's totals equal what MailDev and the push sink hold. A
 * screenshot of each is saved (its path is printed), and each scenario's wall
 * time.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { USER_CREATE, USER_CREATED } from '../../services/shared/src/events';
import { startLocalBoard, type LocalBoard } from '../src/board/local-board';
import { deleteStreamOf, waitForJetStreamReady } from './support/jetstream';
import { settle } from '../src/grading/traffic';
import { Backing } from '../src/runtime/backing';
import { buildServices } from '../src/runtime/build';
import { Fleet } from '../src/runtime/fleet';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { ManagedProcess } from '../src/runtime/managed-process';
import { freePort } from '../src/runtime/ports';
import { packageFile } from '../src/runtime/tools';
import { topology, withEnv, type Topology } from '../src/runtime/topology';
import { waitFor } from '../src/runtime/wait';
import { makeTree } from '../src/steps/tree';

const REPO = join(__dirname, '..', '..');
const SOLUTIONS = join(REPO, 'solutions');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const logDir = defaultLogDir(REPO);
const shot = (name: string) => join(tmpdir(), `workshop-board-${name}.png`);

let backing: Backing;
let builds: Record<'redis' | 'queueGroups' | 'jetstream', string>;
let guide: { url: string; process: ManagedProcess };
let browser: Browser;
let fleet: Fleet | undefined;
let board: LocalBoard | undefined;
let page: Page | undefined;
let started: number;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: sudo apt-get install -y chromium`);
  const [t3, t4] = await Promise.all([
    makeTree(REPO, 'test-board-step3', [join(SOLUTIONS, '03-queue-groups')]),
    makeTree(REPO, 'test-board-step4', [join(SOLUTIONS, '03-queue-groups'), join(SOLUTIONS, '04-jetstream')]),
  ]);
  const [redis, queueGroups, jetstream] = await Promise.all([
    buildServices(REPO),
    buildServices(t3),
    buildServices(t4),
  ]);
  builds = { redis, queueGroups, jetstream };
  backing = await Backing.start({ brokers: ['redis', 'nats'], buildDir: redis, logDir });
  guide = await startGuide();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

beforeEach(() => {
  started = Date.now();
  pageErrors.length = 0;
});

afterEach(async () => {
  console.log(`${expect.getState().currentTestName}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await page?.close();
  await board?.stop();
  await fleet?.stop();
  page = board = fleet = undefined;
  await backing.clearSinks();
});

afterAll(async () => {
  await browser?.close();
  await guide?.process.stop();
  await backing?.stop();
});

/** The guide's dev server, as `npm run local` serves it, on a free port. */
async function startGuide(): Promise<{ url: string; process: ManagedProcess }> {
  const port = await freePort();
  const process_ = new ManagedProcess({
    name: 'guide',
    command: process.execPath,
    args: [packageFile('vitepress', 'bin', 'vitepress.js'), 'dev', 'workshop-docs', '--host', '127.0.0.1'].concat([
      '--port',
      String(port),
      '--strictPort',
    ]),
    cwd: REPO,
    logFile: join(logDir, 'guide.log'),
  });
  // A guide that never says it is ready is stopped, or its server keeps jest from exiting.
  await process_.waitForLine(/Local:|ready in/i, 60_000).catch(async (error: unknown) => {
    await process_.stop();
    throw error;
  });
  return { url: `http://127.0.0.1:${port}`, process: process_ };
}

/** The system with `t`, its board, and the board page open on it. */
async function open(t: Topology, buildDir: string): Promise<{ page: Page; board: LocalBoard }> {
  fleet = await Fleet.start(t, backing.endpoints, buildDir, logDir);
  if (t.waitForSubscriptions === false) {
    await waitForJetStreamReady(backing.endpoints.natsMonitorUrl!, {
      requestSubject: USER_CREATE,
      durables: ['mail', 'push'],
    });
  }
  board = await startLocalBoard({ fleet, backing });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${guide.url}/board?board=${encodeURIComponent(board.url)}`);
  await page.getByTestId('board-state').filter({ hasText: 'live' }).waitFor({ timeout: 60_000 });
  return { page, board };
}

/** The board at the top of the window (the page's text below it is not the point). */
async function screenshot(p: Page, name: string): Promise<void> {
  // Below the guide's fixed top bar (64 px), not under it.
  await p.locator('section.board').evaluate((board) => board.scrollIntoView());
  await p.evaluate('window.scrollBy(0, -80)');
  await p.screenshot({ path: shot(name) });
}

const number = async (p: Page, id: string) => Number(await p.getByTestId(id).innerText());

/** Waits until the board shows `emails` and `pushes`, and checks them against what the sinks hold. */
async function boardMatchesSinks(p: Page, emails: number, pushes: number): Promise<void> {
  await waitFor(
    async () => (await number(p, 'total-emails')) === emails && (await number(p, 'total-pushes')) === pushes,
    {
      what: `the board to show ${emails} emails and ${pushes} pushes`,
      timeoutMs: 30_000,
    },
  );
  const [mail, push] = await Promise.all([backing.mail.deliveries(), backing.push.deliveries()]);
  expect({ emails: mail.length, pushes: push.length }).toEqual({ emails, pushes });
}

async function statuses(p: Page): Promise<string[]> {
  return p.getByTestId('user-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status') ?? ''));
}

test('redis pub/sub, 2 + 2 replicas: "10 users" shows 20 emails and every user a duplicate', async () => {
  const { page: p, board: b } = await open(topology('redis', 2, 2), builds.redis);
  await p.getByRole('button', { name: '10 users' }).click();
  await boardMatchesSinks(p, 20, 20);
  await waitFor(async () => (await statuses(p)).filter((s) => s === 'duplicate').length === 10, {
    what: 'all 10 users marked duplicate',
  });
  expect(await statuses(p)).toEqual(Array(10).fill('duplicate'));
  expect(await number(p, 'total-duplicates')).toBe(10);
  await screenshot(p, 'redis');
  console.info(`screenshot: ${shot('redis')}`);

  // The endpoint, from outside the page: unknown replicas and foreign pages are refused.
  const unknown = await fetch(`${b.url}/replicas/mail-9/kill`, { method: 'POST' });
  expect(unknown.status).toBe(404);
  expect(((await unknown.json()) as { error: string }).error).toMatch(/^no replica "mail-9" in the running system/);
  const foreign = await fetch(`${b.url}/replicas/mail-1/kill`, {
    method: 'POST',
    headers: { origin: 'https://evil.example' },
  });
  expect(foreign.status).toBe(403);
  expect(fleet!.list().every((r) => r.process?.running)).toBe(true);
  expect(pageErrors).toEqual([]);
});

test('NATS queue groups (end of step 3): "10 users" shows 10 emails, 10 pushes and no duplicate', async () => {
  const { page: p } = await open(topology('nats', 2, 2), builds.queueGroups);
  await p.getByRole('button', { name: '10 users' }).click();
  await boardMatchesSinks(p, 10, 10);
  await waitFor(async () => (await statuses(p)).filter((s) => s === 'ok').length === 10, {
    what: 'all 10 users marked ok',
  });
  expect(await number(p, 'total-duplicates')).toBe(0);
  expect(await number(p, 'total-lost')).toBe(0);
  await screenshot(p, 'queue-groups');
  console.info(`screenshot: ${shot('queue-groups')}`);
  expect(pageErrors).toEqual([]);
});

test('JetStream (end of step 4): mail-1 killed from the board mid-burst, restarted: no user lost', async () => {
  const ackWait = { JETSTREAM_ACK_WAIT_MS: '2000' };
  // Each event waits a second in the mail replica before its handler runs
  // (a slow SMTP hop no longer slows every email: the replicas pool their
  // connections), so the replica killed always has events in flight.
  const slowMail = { ...ackWait, CHAOS_HANDLER_DELAY_MS: '1000' };
  const t: Topology = {
    ...withEnv(topology('nats', 2, 2), { mail: slowMail, push: ackWait }),
    waitForSubscriptions: false,
  };
  const { page: p } = await open(t, builds.jetstream);
  const mail1 = p.locator('[data-replica="mail-1"]');
  await p.getByRole('button', { name: '100 users' }).click();
  // Each email waits a second: once mail-1 has sent one, it holds more.
  await waitFor(async () => Number(await mail1.getByTestId('replica-count').innerText()) >= 1, {
    what: 'mail-1 to send an email',
    timeoutMs: 20_000,
  });
  await mail1.getByRole('button', { name: 'kill' }).click();
  await p.locator('[data-replica="mail-1"].down').waitFor({ timeout: 10_000 });
  const emailsAtKill = await number(p, 'total-emails');
  expect(emailsAtKill).toBeLessThan(100); // the kill landed mid-burst: mail-1 still had work
  await p.getByTestId('total-users').filter({ hasText: /^100$/ }).waitFor({ timeout: 30_000 });
  await mail1.getByRole('button', { name: 'restart' }).click();
  await p.locator('[data-replica="mail-1"].down').waitFor({ state: 'detached', timeout: 30_000 });

  await waitFor(async () => (await statuses(p)).every((s) => s === 'ok' || s === 'duplicate'), {
    what: 'every user to have an email and a push',
    timeoutMs: 40_000,
  });
  // Redeliveries may still come (an email sent, not acked): wait until the sinks are still.
  const mail = await settle(() => backing.mail.deliveries(), 100, { quietMs: 2_500 });
  const push = await settle(() => backing.push.deliveries(), 100, { quietMs: 1_000 });
  const emails = mail.total;
  expect(mail.perUser.size).toBe(100);
  await boardMatchesSinks(p, mail.total, push.total);
  expect(await number(p, 'total-lost')).toBe(0);
  await screenshot(p, 'jetstream');
  console.info(`screenshot: ${shot('jetstream')} (killed after ${emailsAtKill} emails; ${emails} emails in the end)`);
  expect(pageErrors).toEqual([]);
  await deleteStreamOf(backing.endpoints.natsUrl!, USER_CREATED, backing.endpoints.natsToken);
});

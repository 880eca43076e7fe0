/**
 * `npm run chaos [-- <configuration>...] [--seed N] [--graceful]`: for each
 * configuration, a sustained, paced load while replicas are killed (SIGKILL,
 * or SIGTERM with --graceful, as a rolling deploy stops them; then started
 * again) at seeded random times, ten times, and the broker is restarted
 * once; then what each accepted user received: sent / delivered /
 * duplicated / lost, for email and push. The lesson in one table: at most
 * once loses, at least once duplicates, at least once with idempotent
 * consumers does neither.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Delivery } from '../src/grading/sinks';
import { REPO } from '../src/steps/manifest';
import { BenchSystem } from './bench-system';
import { chosen, type Configuration } from './configurations';
import { count, settled } from './count';
import { paced } from './load';
import { printChaos, type ChaosResults, type ChaosRow } from './report';

const USERS_PER_SECOND = 40;
const SECONDS = 25;
const KILLS = 10;
const DEFAULT_SEED = 13;
export const CHAOS_FILE = join(REPO, 'workshop-docs', 'public', 'bench', 'chaos-latest.json');
export const GRACEFUL_FILE = join(REPO, 'workshop-docs', 'public', 'bench', 'chaos-graceful-latest.json');

/** A small seeded PRNG (mulberry32): the same seed, the same kills at the same times. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Event = { at: number; kind: 'kill'; replica: string; downMs: number } | { at: number; kind: 'broker' };

/** Ten kills spread over the load (not in its last 3 s), and one broker restart in its middle third. */
export function schedule(seed: number, replicas: string[]): Event[] {
  const next = random(seed);
  const span = (SECONDS - 4) * 1000;
  const events: Event[] = Array.from({ length: KILLS }, () => ({
    at: 1000 + Math.floor(next() * span),
    kind: 'kill' as const,
    replica: replicas[Math.floor(next() * replicas.length)],
    downMs: 300 + Math.floor(next() * 1200),
  }));
  events.push({ at: Math.floor(((1 + next()) * SECONDS * 1000) / 3), kind: 'broker' });
  return events.sort((a, b) => a.at - b.at);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a killed replica again; a start that fails (the broker was restarting) is tried again. */
async function startAgain(system: BenchSystem, id: string, log: (line: string) => void, attempts = 3): Promise<void> {
  try {
    await system.fleet.startReplica(id, { waitForBroker: false });
  } catch (error) {
    if (attempts <= 1) throw error;
    log(`    ${id} did not start (${(error as Error).message.split('\n')[0]}): trying again`);
    await system.fleet.stopReplica(id);
    await startAgain(system, id, log, attempts - 1);
  }
}

/**
 * Runs the events on time. A killed replica is started again in the
 * background (it takes seconds to be ready), so the next kills stay on
 * schedule; a kill waits until the other replica of its service is back, so
 * that one replica of each service is always up (what is lost is then what
 * the killed one held, not everything sent while both were down).
 */
async function unleash(
  system: BenchSystem,
  events: Event[],
  graceful: boolean,
  log: (line: string) => void,
): Promise<number> {
  const start = Date.now();
  const returning = new Map<string, Promise<void>>(); // by service
  let kills = 0;
  for (const event of events) {
    await sleep(Math.max(0, start + event.at - Date.now()));
    const at = `${((Date.now() - start) / 1000).toFixed(1)} s`;
    if (event.kind === 'broker') {
      const broker = [...system.brokers.values()][0];
      log(`    ${at}: restarting ${broker.kind}`);
      await broker.restart();
      continue;
    }
    const service = event.replica.split('-')[0];
    await returning.get(service);
    log(`    ${at}: ${graceful ? 'stop' : 'kill'} ${event.replica}, started again after ${event.downMs} ms`);
    await (graceful ? system.fleet.stopReplica(event.replica) : system.fleet.killReplica(event.replica));
    kills++;
    returning.set(
      service,
      sleep(event.downMs).then(() => startAgain(system, event.replica, log)),
    );
  }
  await Promise.all(returning.values());
  return kills;
}

/** Which replicas sent a user's extra deliveries, and which event ids: a redelivery has one, a second publish two. */
function explainDuplicates(
  what: string,
  deliveries: Delivery[],
  keyOf: (d: Delivery) => string,
  log: (line: string) => void,
): void {
  const byUser = new Map<string, Delivery[]>();
  for (const d of deliveries) byUser.set(keyOf(d), [...(byUser.get(keyOf(d)) ?? []), d]);
  const repeated = [...byUser.values()].filter((list) => list.length > 1);
  for (const list of repeated.slice(0, 5)) {
    const events = new Set(list.map((d) => d.eventId)).size;
    log(
      `    ${what} x${list.length} for ${keyOf(list[0])}: from ${list.map((d) => d.replicaId).join(' and ')}, ${events} event id(s)`,
    );
  }
}

async function run(
  config: Configuration,
  seed: number,
  graceful: boolean,
  log: (line: string) => void,
): Promise<ChaosRow> {
  const system = await BenchSystem.start(config.step, config.topology, `chaos-${config.key}`);
  try {
    const replicas = [...system.fleet.list('mail'), ...system.fleet.list('push')].map((r) => r.id);
    const [sent, kills] = await Promise.all([
      paced(system.gatewayUrl, USERS_PER_SECOND * SECONDS, USERS_PER_SECOND, `chaos-${config.key}`),
      unleash(system, schedule(seed, replicas), graceful, log),
    ]);
    const { mail, push } = system.backing;
    // Redeliveries come after ack_wait (2 s) or a claim's idle time (1 s) or a lease (3 s): wait them out.
    await settled(
      async () => [(await mail.deliveries()).length, (await push.deliveries()).length],
      sent.accepted.size,
      { quietMs: 5_000, stallMs: 10_000, timeoutMs: 90_000 },
    );
    const emails = new Set(sent.accepted.keys());
    const ids = new Set([...sent.accepted.values()].map((u) => u.id));
    const mailCount = count(await mail.deliveries(), emails, (d) => d.to);
    const pushCount = count(await push.deliveries(), ids, (d) => d.userId);
    const pick = ({ delivered, served, duplicated, lost }: typeof mailCount) => ({
      delivered,
      served,
      duplicated,
      lost,
    });
    explainDuplicates('email', await mail.deliveries(), (d) => d.to, log);
    explainDuplicates('push', await push.deliveries(), (d) => d.userId, log);
    return {
      key: config.key,
      label: config.label,
      step: config.step,
      sent: sent.accepted.size,
      refused: sent.refused,
      kills,
      mail: pick(mailCount),
      push: pick(pushCount),
    };
  } finally {
    await system.stop();
  }
}

export async function chaosRun(args: string[]): Promise<void> {
  const seedAt = args.indexOf('--seed');
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error(`--seed takes a whole number, got "${args[seedAt + 1]}"`);
  const graceful = args.includes('--graceful');
  const keys = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--seed');
  const log = (line: string) => console.error(line);
  const rows: ChaosRow[] = [];
  for (const config of chosen(keys)) {
    log(
      `${config.label} (end of step ${config.step}): ${USERS_PER_SECOND} users/s for ${SECONDS} s, ${KILLS} kills, 1 broker restart`,
    );
    rows.push(await run(config, seed, graceful, log));
  }
  const results: ChaosResults = {
    kind: 'measured',
    date: new Date().toISOString(),
    seed,
    stop: graceful ? 'SIGTERM' : 'SIGKILL',
    usersPerSecond: USERS_PER_SECOND,
    seconds: SECONDS,
    rows,
  };
  printChaos(results);
  const file = graceful ? GRACEFUL_FILE : CHAOS_FILE;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults: ${file}`);
}

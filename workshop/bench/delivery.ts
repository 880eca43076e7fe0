/**
 * `npm run bench [-- <configuration>...]`: each configuration under the same
 * bounded load, beside the ceilings measured in the same run; one table, and
 * the results as JSON for the guide's "Measure it" page.
 *
 * Per configuration: autocannon POSTs users for a fixed time (the sustained
 * rate), the sinks are counted once nothing more arrives (duplicates,
 * losses); then users are sent one at a time at half the sustained rate to
 * time each from its POST to its email's arrival in MailDev (p50, p99).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { Backing } from '../src/runtime/backing';
import { buildServices } from '../src/runtime/build';
import { defaultLogDir } from '../src/runtime/local-runtime';
import { topology } from '../src/runtime/topology';
import type { Delivery } from '../src/grading/sinks';
import { REPO } from '../src/steps/manifest';
import { BenchSystem } from './bench-system';
import { bareHttp, mailDevIngest, natsQueue } from './ceilings';
import { chosen, type Configuration } from './configurations';
import { count, percentile, settled, type Count } from './count';
import { cpuNow, spentSince, type CpuSpent } from './cpu';
import { hammer, paced, type LoadOptions, type PacedUser } from './load';
import { MailArrivals, type Arrival } from './mail-arrivals';
import {
  perUser,
  printCpu,
  printLatencyParts,
  printTable,
  type BenchResults,
  type ConfigurationResult,
  type LatencyPart,
} from './report';

/** The load of issue 13's step-3 measurement: 20 connections, 10 s (and never more than 20,000 users). */
export const LOAD: LoadOptions = { connections: 20, seconds: 10, maxRequests: 20_000 };
/** The mail replicas' SMTP connections in all: 2 replicas x the pool's 5. */
const SMTP_CONNECTIONS = 10;
const INGEST_EMAILS = 3_000;
const INGEST_WARMUP = 2_000;
const NATS_MESSAGES = 200_000;
const LATENCY_SECONDS = 5;
const LAG_RESOLUTION_MS = 5;
/** Before each configuration's figures: the same load, this long, unmeasured. */
const WARMUP: LoadOptions = { ...LOAD, seconds: 3 };

export const RESULTS_FILE = join(REPO, 'workshop-docs', 'public', 'bench', 'latest.json');

interface PushEntry {
  userId: string;
  receivedAt: string;
}

async function pushes(pushSinkUrl: string): Promise<PushEntry[]> {
  const response = await fetch(`${pushSinkUrl}/notifications`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as PushEntry[];
}

async function measure(config: Configuration, log: (line: string) => void): Promise<ConfigurationResult> {
  const system = await BenchSystem.start(config.step, config.topology, config.key, 'everysec');
  const { mailDevUrl, pushSinkUrl } = system.backing.endpoints;
  const arrivals = await MailArrivals.connect(mailDevUrl);
  try {
    // 0. Warm-up: Node compiles a function's optimised code only after it ran
    // many times, and a cold MailDev spends about a third more per email (the
    // ingest ceiling is measured warm too). What is measured is the steady
    // state: the same load for WARMUP's 3 s, delivered, then forgotten
    // (MailDev is not emptied: its clear keeps it busy for seconds after; the
    // phases below count their own users by address).
    const warm = await hammer(`${system.gatewayUrl}/users`, WARMUP, `${config.key}-warmup`);
    await settled(async () => [arrivals.list().length, (await pushes(pushSinkUrl)).length], warm.accepted, {
      quietMs: 1_000,
      stallMs: 5_000,
      timeoutMs: 60_000,
      intervalMs: 1_000,
    });
    await system.backing.push.clear();
    arrivals.reset();

    // 1. Sustained: as many users as the gateway takes. The CPU of every process
    // (the bench's own too: autocannon runs in it) is read before the load and
    // once the sinks are done, so each user's whole journey is in it.
    const watched = [...system.processes(), { name: 'bench (autocannon)', pid: process.pid }];
    const cpuBefore = await cpuNow(watched);
    const start = Date.now();
    const load = await hammer(`${system.gatewayUrl}/users`, LOAD, `${config.key}-load`);
    log(`  ${config.label}: ${load.accepted} users accepted in ${load.seconds} s; waiting for the sinks...`);
    await settled(async () => [arrivals.list().length, (await pushes(pushSinkUrl)).length], load.accepted, {
      quietMs: 2_000,
      stallMs: 8_000,
      timeoutMs: 90_000,
      // Each read lists every push (a megabyte of JSON for 8,000 users): once a
      // second, not four times, so that the count does not take the CPU that
      // MailDev needs to drain the backlog (the times are MailDev's own).
      intervalMs: 1_000,
    });
    const cpu = await spentSince(cpuBefore, start, load.accepted);
    const emails = (await system.backing.mail.deliveries()).filter((e) => e.to.startsWith(`${config.key}-load-`));
    const pushList = await pushes(pushSinkUrl);
    const mail = count(emails, new Set(load.acceptedUsers.keys()), (d) => d.to);
    const push = count(
      pushList.map((p) => ({ eventId: '', replicaId: '', userId: p.userId, to: p.userId })),
      new Set(load.acceptedUsers.values()),
      (d) => d.userId,
    );
    const lastEmail = Math.max(start, ...arrivals.list().map((a) => a.at));
    const lastPush = Math.max(start, ...pushList.map((p) => Date.parse(p.receivedAt)));
    // Every email MailDev stored, a duplicate too: it is MailDev's work, what
    // its ingest ceiling counts (the duplicates are in the emails/user column).
    const emailsPerSecond = emails.length / ((lastEmail - start) / 1000);
    const pushesPerSecond = pushList.length / ((lastPush - start) / 1000);

    // 2. Latency, at half the rate the whole pipeline sustained.
    arrivals.reset();
    // Users per second the whole pipeline kept up with (Redis pub/sub sends each user's email twice).
    const sustained = Math.min(load.perSecond, emailsPerSecond / perUser(mail));
    const rate = Math.max(1, sustained / 2);
    const users = Math.min(2_000, Math.round(rate * LATENCY_SECONDS));
    // The bench stamps the POST and the arrival in its own event loop: a late
    // turn of it is an error in both. How late its turns ran is measured too.
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    const sent = await paced(system.gatewayUrl, users, rate, `${config.key}-latency`);
    await settled(async () => [arrivals.list().length], sent.accepted.size, {
      quietMs: 1_000,
      stallMs: 5_000,
      timeoutMs: 30_000,
    });
    lag.disable();
    const latencies = arrivals
      .list()
      .map((a) => a.at - (sent.accepted.get(a.to)?.postedAt ?? NaN))
      .filter((ms) => Number.isFinite(ms));
    const latencyParts = [
      ...breakDown(sent.accepted, arrivals.list(), await system.backing.mail.deliveries()),
      // The histogram holds the time between two turns of a LAG_RESOLUTION_MS timer, in nanoseconds: late by the rest.
      {
        name: "the bench's event loop, late by (its clocks' error)",
        p50Ms: Math.max(0, lag.percentile(50) / 1e6 - LAG_RESOLUTION_MS),
        p99Ms: Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS),
      },
    ];
    return {
      key: config.key,
      label: config.label,
      step: config.step,
      usersPerSecond: load.perSecond,
      refused: load.refused + load.errors,
      emailsPerSecond,
      pushesPerSecond,
      latencyRatePerSecond: rate,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      mail: pick(mail),
      push: pick(push),
      latencyParts,
      ...(cpu && { cpu }),
    };
  } finally {
    arrivals.close();
    await system.stop();
  }
}

/**
 * Where a paced user's time goes, from three clocks of the same machine: the
 * bench's POST and its 201, the mail replica's X-Sent-At (stamped as it hands
 * the email to nodemailer) and MailDev's announcement of the stored email.
 */
export function breakDown(accepted: Map<string, PacedUser>, arrived: Arrival[], emails: Delivery[]): LatencyPart[] {
  // By MailDev's id: with Redis pub/sub a user gets two emails, each timed on its own.
  const arrivedAt = new Map(arrived.map((a) => [a.id, a.at]));
  const answered: number[] = [];
  const toSend: number[] = [];
  const sendToStored: number[] = [];
  for (const email of emails) {
    const user = accepted.get(email.to);
    const sentAt = email.at ? Date.parse(email.at) : NaN;
    const storedAt = email.id === undefined ? undefined : arrivedAt.get(email.id);
    if (!user || !Number.isFinite(sentAt) || storedAt === undefined) continue;
    answered.push(user.answeredAt - user.postedAt);
    toSend.push(sentAt - user.postedAt);
    sendToStored.push(storedAt - sentAt);
  }
  const part = (name: string, values: number[]): LatencyPart => ({
    name,
    p50Ms: percentile(values, 50),
    p99Ms: percentile(values, 99),
  });
  return [
    part('POST -> 201 (gateway, user service, publish)', answered),
    part('POST -> mail replica sends (+ broker, consumer)', toSend),
    part('send -> MailDev stored (nodemailer pool, SMTP, MailDev)', sendToStored),
  ];
}

const pick = ({ delivered, served, duplicated, lost }: Count) => ({ delivered, served, duplicated, lost });

/** The gateway with the user service answering and no consumer: what it takes on its own. */
async function gatewayAlone(): Promise<number> {
  const system = await BenchSystem.start(3, topology('nats', 0, 0), 'gateway-alone');
  try {
    await hammer(`${system.gatewayUrl}/users`, WARMUP, 'alone-warmup'); // measured warm, as the configurations
    return (await hammer(`${system.gatewayUrl}/users`, LOAD, 'alone')).perSecond;
  } finally {
    await system.stop();
  }
}

export async function deliveryBench(keys: string[]): Promise<void> {
  const configurations = chosen(keys);
  const log = (line: string) => console.error(line);
  const logDir = join(defaultLogDir(REPO), 'ceilings');
  await mkdir(logDir, { recursive: true });

  log('Ceilings: bare node:http, a raw NATS queue group, MailDev ingest...');
  const http = await bareHttp(LOAD, logDir, WARMUP);
  const nats = await natsQueue(NATS_MESSAGES, logDir);
  const backing = await Backing.start({ brokers: [], buildDir: await buildServices(REPO), logDir });
  let ingest: number;
  let ingestCpu: CpuSpent | undefined;
  try {
    const arrivals = await MailArrivals.connect(backing.endpoints.mailDevUrl);
    await mailDevIngest(backing.endpoints.smtpUrl, arrivals, SMTP_CONNECTIONS, INGEST_WARMUP); // warm-up
    const senders = [...backing.processIds(), { name: 'bench (nodemailer)', pid: process.pid }];
    const before = await cpuNow(senders);
    const startedAt = Date.now();
    ingest = await mailDevIngest(backing.endpoints.smtpUrl, arrivals, SMTP_CONNECTIONS, INGEST_EMAILS);
    ingestCpu = await spentSince(before, startedAt, INGEST_EMAILS);
    arrivals.close();
  } finally {
    await backing.stop();
  }
  log('The gateway and user service alone (NATS, no consumers)...');
  const gateway = await gatewayAlone();

  const rows: ConfigurationResult[] = [];
  for (const config of configurations) {
    log(`${config.label} (end of step ${config.step}, 2 mail + 2 push replicas)...`);
    rows.push(await measure(config, log));
  }
  const results: BenchResults = {
    kind: 'measured',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', node: process.version },
    load: { tool: 'autocannon', ...LOAD, smtpConnections: SMTP_CONNECTIONS },
    ceilings: {
      httpPerSecond: http.perSecond,
      natsPerSecond: nats,
      mailDevPerSecond: ingest,
      gatewayAlonePerSecond: gateway,
      ...(ingestCpu && { mailDevIngestCpu: ingestCpu }),
    },
    configurations: rows,
  };
  printTable(results);
  printCpu(results);
  printLatencyParts(results);
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nResults: ${RESULTS_FILE} (the guide's "Measure it" page shows them: npm run docs:dev)`);
}

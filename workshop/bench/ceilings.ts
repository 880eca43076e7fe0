/**
 * The ceilings each configuration is compared with, measured in the same run
 * on the same machine: what a bare node:http server answers under the same
 * load, what a raw NATS queue subscription carries, and what MailDev ingests
 * straight from nodemailer at the mail replicas' total concurrency.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { createTransport } from 'nodemailer';
import { ManagedProcess } from '../src/runtime/managed-process';
import { freePort } from '../src/runtime/ports';
import { waitFor } from '../src/runtime/wait';
import { Broker } from './brokers';
import { hammer, type LoadOptions, type LoadResult } from './load';
import type { MailArrivals } from './mail-arrivals';

/** A server that reads the body and answers 201 with a small JSON, in a process of its own (as the gateway is). */
const BARE_SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end('{"id":"1","email":"a@example.com","name":"A"}');
  });
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready: bare http'));
`;

/** `warmup` first, untimed, as the gateway is measured warm. */
export async function bareHttp(load: LoadOptions, logDir: string, warmup?: LoadOptions): Promise<LoadResult> {
  const port = await freePort();
  const server = new ManagedProcess({
    name: 'bare-http',
    command: process.execPath,
    args: ['-e', BARE_SERVER],
    env: { PORT: String(port) },
    logFile: join(logDir, 'bare-http.log'),
  });
  try {
    await server.waitForLine(/ready:/);
    if (warmup) await hammer(`http://127.0.0.1:${port}/users`, warmup);
    return await hammer(`http://127.0.0.1:${port}/users`, load);
  } finally {
    await server.stop();
  }
}

/**
 * Messages per second through a core NATS queue group: one publisher, two
 * subscribers in one queue group (as two replicas), `count` messages of a
 * user.created's size, timed until the last one is received.
 */
export async function natsQueue(count: number, logDir: string): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'workshop-bench-nats-'));
  const broker = await Broker.start('nats', dataDir, logDir);
  const connections = await Promise.all([0, 1, 2].map(() => connect({ servers: broker.url, token: broker.token })));
  try {
    const [publisher, ...subscribers] = connections;
    let received = 0;
    for (const nc of subscribers)
      nc.subscribe('bench.user.created', { queue: 'mail', callback: () => void received++ });
    await Promise.all(subscribers.map((nc) => nc.flush()));
    const payload = new TextEncoder().encode(
      JSON.stringify({
        eventId: 'x'.repeat(36),
        user: { id: 'y'.repeat(36), email: 'bench@example.com', name: 'Bench User' },
      }),
    );
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      publisher.publish('bench.user.created', payload);
      if (i % 1000 === 999) await publisher.flush(); // the client buffers: keep it bounded
    }
    await publisher.flush();
    await waitFor(() => received >= count, {
      what: `${count} messages through the queue group`,
      timeoutMs: 30_000,
      intervalMs: 5,
    });
    return count / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(connections.map((nc) => nc.close()));
    await broker.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Emails per second MailDev stores when nodemailer sends straight to it
 * through a pool of `connections` (the mail replicas' total), timed from the
 * first send to the last arrival on MailDev's socket. Call it once untimed
 * first: a MailDev just started (and the sender) run their first thousands
 * of emails in code not yet optimised, about a third slower, and the
 * configurations are measured warm too.
 */
export async function mailDevIngest(
  smtpUrl: string,
  arrivals: MailArrivals,
  connections: number,
  count: number,
): Promise<number> {
  const { hostname, port } = new URL(smtpUrl);
  const smtp = createTransport({
    pool: true,
    maxConnections: connections,
    maxMessages: Infinity, // as the mail replicas' pool (services/mail/src/smtp-transport.ts)
    host: hostname,
    port: Number(port),
    secure: false,
    ignoreTLS: true,
  });
  arrivals.reset();
  try {
    const start = performance.timeOrigin + performance.now();
    await Promise.all(
      Array.from({ length: count }, (_, i) =>
        smtp.sendMail({
          from: 'Workshop <welcome@workshop.local>',
          to: `ingest-${i}@example.com`,
          subject: 'Welcome, Bench User!',
          text: 'Hello Bench User, your account is ready.',
        }),
      ),
    );
    await waitFor(() => arrivals.list().length >= count, { what: `${count} emails in MailDev`, timeoutMs: 30_000 });
    const last = Math.max(...arrivals.list().map((a) => a.at));
    return count / ((last - start) / 1000);
  } finally {
    smtp.close();
  }
}

/**
 * One broker for a transport test: redis-server or nats-server (JetStream on)
 * on a free loopback port, through the runtime's ManagedProcess.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLogDir } from '../../src/runtime/local-runtime';
import { ManagedProcess } from '../../src/runtime/managed-process';
import { freePort } from '../../src/runtime/ports';
import { requireTool } from '../../src/runtime/tools';

const REPO = join(__dirname, '..', '..', '..');

export interface Broker {
  url: string;
  /** NATS only: the monitoring endpoint. */
  monitorUrl?: string;
  port: number;
  stop(): Promise<void>;
}

const LOG_DIR = defaultLogDir(REPO);

export async function startRedis(name = 'transport-redis'): Promise<Broker> {
  const port = await freePort();
  await mkdir(LOG_DIR, { recursive: true });
  const redis = new ManagedProcess({
    name,
    command: requireTool('redis-server'),
    // DEBUG SLEEP stalls Redis on purpose (a lease outliving a stall): allowed from loopback only.
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--enable-debug-command',
      'local',
    ],
    logFile: join(LOG_DIR, `${name}.log`),
  });
  await redis.waitForLine(/Ready to accept connections/);
  return { url: `redis://127.0.0.1:${port}`, port, stop: () => redis.stop() };
}

export async function startNats(name = 'transport-nats'): Promise<Broker> {
  const [port, monitor] = await Promise.all([freePort(), freePort()]);
  const store = await mkdtemp(join(tmpdir(), 'transport-nats-'));
  await mkdir(LOG_DIR, { recursive: true });
  const nats = new ManagedProcess({
    name,
    command: requireTool('nats-server'),
    args: ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', store],
    logFile: join(LOG_DIR, `${name}.log`),
  });
  await nats.waitForLine(/Server is ready/);
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl: `http://127.0.0.1:${monitor}`,
    port,
    stop: async () => {
      await nats.stop();
      await rm(store, { recursive: true, force: true });
    },
  };
}

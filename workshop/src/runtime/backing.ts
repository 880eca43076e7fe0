/**
 * The backing services of the local runtime: Redis, NATS (JetStream on),
 * MailDev and the push sink, each a process on free loopback ports.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailDevClient, PushSinkClient } from '../grading/sinks';
import type { LiveBacking } from '../grading/live';
import { BROKERS, launchOf, type BrokerEndpoints, type BrokerKind } from './brokers';
import { ManagedProcess } from './managed-process';
import { freePort } from './ports';
import { spawnMailDev, type MailDevEndpoints } from './maildev';
import { requireTool } from './tools';
import { progress, timed } from '../cli/progress';

export interface BackingEndpoints extends BrokerEndpoints {
  smtpUrl: string;
  mailDevUrl: string;
  pushSinkUrl: string;
}

export interface BackingOptions {
  /** The brokers to run (MailDev and the push sink always run). */
  brokers: readonly BrokerKind[];
  /** The folder holding the built services (for the push sink). */
  buildDir: string;
  /** A MailDev already running (lent by verify): emptied and used instead of starting one. */
  mailDev?: MailDevEndpoints;
  logDir: string;
  /** Fixed ports for MailDev's web UI and the push sink (default: free ones). */
  ports?: { mailDev?: number; pushSink?: number };
}

export class Backing implements LiveBacking {
  readonly mail: MailDevClient;
  readonly push: PushSinkClient;

  private constructor(
    readonly endpoints: BackingEndpoints,
    private readonly processes: ManagedProcess[],
    private readonly scratch: string,
  ) {
    this.mail = new MailDevClient(endpoints.mailDevUrl);
    this.push = new PushSinkClient(endpoints.pushSinkUrl);
  }

  /**
   * Starts them all. A free port can be taken by another process between the
   * moment it is picked and the moment a server binds it: then the whole
   * start is tried again on new ports (twice at most).
   */
  static async start(options: BackingOptions, attempts = 3): Promise<Backing> {
    try {
      return await Backing.startOnce(options);
    } catch (error) {
      if (attempts > 1 && /address already in use|EADDRINUSE/i.test((error as Error).message)) {
        return Backing.start(options, attempts - 1);
      }
      throw error;
    }
  }

  private static async startOnce(options: BackingOptions): Promise<Backing> {
    // Fail before starting anything when a broker is not installed.
    const servers = options.brokers.map((kind) => ({
      kind,
      spec: BROKERS[kind],
      path: requireTool(BROKERS[kind].server),
    }));
    await mkdir(options.logDir, { recursive: true });
    const scratch = await mkdtemp(join(tmpdir(), 'workshop-backing-'));
    const processes: ManagedProcess[] = [];
    const log = (name: string) => join(options.logDir, `${name}.log`);
    const spawn = (spec: ConstructorParameters<typeof ManagedProcess>[0]) => {
      const p = new ManagedProcess(spec);
      processes.push(p);
      return p;
    };

    try {
      const sinkPort = options.ports?.pushSink ?? (await freePort());
      const endpoints: BackingEndpoints = {
        ...(options.mailDev ?? { smtpUrl: '', mailDevUrl: '' }),
        pushSinkUrl: `http://127.0.0.1:${sinkPort}`,
      };
      const ready: Promise<unknown>[] = [];

      for (const { kind, spec, path } of servers) {
        const ports = await Promise.all(Array.from({ length: spec.ports }, () => freePort()));
        const launch = launchOf(kind, ports, scratch);
        Object.assign(endpoints, launch.endpoints);
        const server = spawn({ name: kind, command: path, args: launch.args, logFile: log(kind) });
        ready.push(server.waitForLine(spec.readyLine).then(() => progress(spec.readyMessage)));
      }

      if (options.mailDev) {
        // Lent: empty it, so this run counts from zero.
        ready.push(
          new MailDevClient(options.mailDev.mailDevUrl).clear().then(() => progress('MailDev ready (emptied)')),
        );
      } else {
        const maildev = await spawnMailDev(log('maildev'), join(scratch, 'maildev'), options.ports?.mailDev);
        processes.push(maildev.process);
        Object.assign(endpoints, maildev.endpoints);
        ready.push(maildev.ready.then(() => progress('MailDev ready')));
      }

      const sink = spawn({
        name: 'push-sink',
        command: process.execPath,
        args: ['--enable-source-maps', join(options.buildDir, 'push-sink', 'src', 'main.js')],
        env: { PORT: String(sinkPort), HOST: '127.0.0.1', REPLICA_ID: 'push-sink' },
        logFile: log('push-sink'),
      });
      ready.push(sink.waitForLine(/ready:/).then(() => progress('push sink ready')));

      await timed('starting the brokers and sinks', 'brokers and sinks up', Promise.all(ready));
      return new Backing(endpoints, processes, scratch);
    } catch (error) {
      await Promise.all(processes.map((p) => p.kill()));
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  /** Each process this run started (MailDev, the push sink, the brokers) by name, with its pid (the bench reads their CPU). */
  processIds(): { name: string; pid: number }[] {
    return this.processes.flatMap((p) => (p.running && p.pid !== undefined ? [{ name: p.spec.name, pid: p.pid }] : []));
  }

  /** Empties both sinks, so the next count starts from zero. */
  async clearSinks(): Promise<void> {
    await Promise.all([this.mail.clear(), this.push.clear()]);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await rm(this.scratch, { recursive: true, force: true });
  }
}

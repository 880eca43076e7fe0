/**
 * The backing services of the local runtime: Redis, NATS (JetStream on),
 * MailDev and the push sink, each a process on free loopback ports.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailDevClient, PushSinkClient } from '../grading/sinks';
import type { LiveBacking } from '../grading/live';
import { BROKERS, type BrokerEndpoints, type BrokerKind } from './brokers';
import { ManagedProcess } from './managed-process';
import { freePort } from './ports';
import { packageFile, requireTool } from './tools';
import { waitFor } from './wait';

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
  logDir: string;
  /** Fixed ports for MailDev's web UI and the push sink (default: free ones). */
  ports?: { mailDev?: number; pushSink?: number };
}

/** MailDev's CLI script (its package exports no path to it). */
const maildevBin = () => packageFile('maildev', 'dist', 'bin', 'maildev.js');

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
      const [smtpPort, freeWebPort, freeSinkPort] = await Promise.all(Array.from({ length: 3 }, () => freePort()));
      const webPort = options.ports?.mailDev ?? freeWebPort;
      const sinkPort = options.ports?.pushSink ?? freeSinkPort;
      const endpoints: BackingEndpoints = {
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        mailDevUrl: `http://127.0.0.1:${webPort}`,
        pushSinkUrl: `http://127.0.0.1:${sinkPort}`,
      };
      const ready: Promise<unknown>[] = [];

      for (const { kind, spec, path } of servers) {
        const ports = await Promise.all(Array.from({ length: spec.ports }, () => freePort()));
        Object.assign(endpoints, spec.endpoints(ports));
        const server = spawn({ name: kind, command: path, args: spec.args(ports, scratch), logFile: log(kind) });
        ready.push(server.waitForLine(spec.readyLine));
      }

      const maildev = spawn({
        name: 'maildev',
        command: process.execPath,
        args: [
          maildevBin(),
          '-s',
          String(smtpPort),
          '-w',
          String(webPort),
          '--ip',
          '127.0.0.1',
          '--web-ip',
          '127.0.0.1',
          '--mail-directory',
          join(scratch, 'maildev'),
        ],
        logFile: log('maildev'),
      });
      const mail = new MailDevClient(endpoints.mailDevUrl);
      ready.push(
        waitFor(() => maildev.running && mail.healthy().catch(() => false), {
          what: 'MailDev to answer /api/healthz',
          timeoutMs: 20_000,
        }),
      );

      const sink = spawn({
        name: 'push-sink',
        command: process.execPath,
        args: ['--enable-source-maps', join(options.buildDir, 'push-sink', 'src', 'main.js')],
        env: { PORT: String(sinkPort), HOST: '127.0.0.1', REPLICA_ID: 'push-sink' },
        logFile: log('push-sink'),
      });
      ready.push(sink.waitForLine(/ready:/));

      await Promise.all(ready);
      return new Backing(endpoints, processes, scratch);
    } catch (error) {
      await Promise.all(processes.map((p) => p.kill()));
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
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

/**
 * The `local` runtime: brokers, sinks and every replica as processes on this
 * machine, on free loopback ports. One object to start, drive and stop: what
 * `workshop local` runs, and what the live checks run (grading/live.ts).
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Backing, type BackingEndpoints } from './backing';
import { buildServices, pruneOldest } from './build';
import { Fleet, type FleetOptions } from './fleet';
import { LatencyProxy } from './latency-proxy';
import type { MailDevEndpoints } from './maildev';
import type { Topology } from './topology';
import { timed } from '../cli/progress';

/** The logs of the last runs are kept, older ones removed. */
const KEEP_LOG_DIRS = 20;

export interface LocalRuntimeOptions {
  /** The tree whose services/ run (the repository, or a step's copy of it). */
  root: string;
  topology: Topology;
  /** Where each process's log goes (default: <root>/.workshop/logs/<time>). */
  logDir?: string;
  /**
   * A slow hop (this many ms per connection) between the replicas and
   * MailDev's SMTP port, like a slow mail provider.
   */
  slowSmtpMs?: number;
  /** A MailDev already running, emptied and used instead of starting one (verify lends one per slot). */
  mailDev?: MailDevEndpoints;
  /** More to wait for once the replicas are up (e.g. consumers that pull hold no subscription to count). */
  ready?: (endpoints: BackingEndpoints) => Promise<unknown>;
  /** Fixed ports (default: free ones), and a listener for the replicas' lines. */
  ports?: { gateway?: number; mailDev?: number; pushSink?: number };
  onLine?: FleetOptions['onLine'];
}

/**
 * The code being run is at fault, not the machine: its services do not
 * compile ('build'), or its replicas do not start or get ready ('replicas').
 */
export class SystemStartError extends Error {
  override name = 'SystemStartError';
  constructor(
    readonly phase: 'build' | 'replicas',
    message: string,
  ) {
    super(message);
  }
}

export function defaultLogDir(root: string): string {
  return join(root, '.workshop', 'logs', new Date().toISOString().replace(/[:.]/g, '-'));
}

/** A log folder for a new run; the oldest runs' folders beside it are removed. */
export async function newLogDir(root: string): Promise<string> {
  const logDir = defaultLogDir(root);
  await pruneOldest(dirname(logDir), KEEP_LOG_DIRS - 1);
  return logDir;
}

export class LocalRuntime {
  private constructor(
    readonly backing: Backing,
    readonly fleet: Fleet,
    readonly logDir: string,
    private readonly slowSmtp: LatencyProxy | undefined,
  ) {}

  static async start({
    root,
    topology,
    logDir,
    slowSmtpMs,
    mailDev,
    ready,
    ports,
    onLine,
  }: LocalRuntimeOptions): Promise<LocalRuntime> {
    logDir ??= await newLogDir(root);
    await mkdir(logDir, { recursive: true });
    const buildDir = await timed('building the services', 'services built', buildServices(root)).catch(
      (error: Error) => {
        throw new SystemStartError('build', error.message);
      },
    );
    const backing = await Backing.start({ brokers: topology.brokers, buildDir, logDir, mailDev, ports });
    let slowSmtp: LatencyProxy | undefined;
    try {
      slowSmtp = slowSmtpMs ? await LatencyProxy.start(backing.endpoints.smtpUrl, slowSmtpMs) : undefined;
      const endpoints = slowSmtp ? { ...backing.endpoints, smtpUrl: slowSmtp.url() } : backing.endpoints;
      const fleet = await Fleet.start(topology, endpoints, buildDir, logDir, {
        gatewayPort: ports?.gateway,
        onLine,
      }).catch((error: Error) => {
        throw new SystemStartError('replicas', error.message);
      });
      await ready?.(endpoints).catch(async (error: Error) => {
        await fleet.stop();
        throw new SystemStartError('replicas', error.message);
      });
      return new LocalRuntime(backing, fleet, logDir, slowSmtp);
    } catch (error) {
      await slowSmtp?.stop();
      await backing.stop();
      throw error;
    }
  }

  get endpoints(): BackingEndpoints & { gatewayUrl: string } {
    return { ...this.backing.endpoints, gatewayUrl: this.fleet.gatewayUrl };
  }

  async stop(): Promise<void> {
    await this.fleet.stop();
    await this.slowSmtp?.stop();
    await this.backing.stop();
  }
}

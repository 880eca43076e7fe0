/**
 * The `local` runtime: brokers, sinks and every replica as processes on this
 * machine, on free loopback ports. One object to start, drive and stop.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Backing, type BackingEndpoints } from './backing';
import { buildServices, pruneOldest } from './build';

/** The logs of the last runs are kept, older ones removed. */
const KEEP_LOG_DIRS = 20;
import { Fleet, type FleetOptions } from './fleet';
import { brokersOf, type Topology } from './topology';

export interface LocalRuntimeOptions {
  /** The tree whose services/ run (the repository, or a step's copy of it). */
  root: string;
  topology: Topology;
  /** Where each process's log goes (default: <root>/.workshop/logs/<time>). */
  logDir?: string;
  /** Fixed ports (default: free ones), and a listener for the replicas' lines. */
  ports?: { gateway?: number; mailDev?: number; pushSink?: number };
  onLine?: FleetOptions['onLine'];
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
  ) {}

  static async start({ root, topology, logDir, ports, onLine }: LocalRuntimeOptions): Promise<LocalRuntime> {
    logDir ??= await newLogDir(root);
    await mkdir(logDir, { recursive: true });
    const buildDir = await buildServices(root);
    const backing = await Backing.start({
      redis: brokersOf(topology).includes('redis'),
      nats: brokersOf(topology).includes('nats'),
      buildDir,
      logDir,
      ports,
    });
    try {
      const fleet = await Fleet.start(topology, backing.endpoints, buildDir, logDir, {
        gatewayPort: ports?.gateway,
        onLine,
      });
      return new LocalRuntime(backing, fleet, logDir);
    } catch (error) {
      await backing.stop();
      throw error;
    }
  }

  get endpoints(): BackingEndpoints & { gatewayUrl: string } {
    return { ...this.backing.endpoints, gatewayUrl: this.fleet.gatewayUrl };
  }

  async stop(): Promise<void> {
    await this.fleet.stop();
    await this.backing.stop();
  }
}

/**
 * The brokers of a bench run, as processes this run owns (not the local
 * runtime's Backing), so that the chaos run can restart one on the same port
 * with its data: NATS keeps JetStream on disk (-sd), Redis writes every
 * command to its append-only file before answering (appendfsync always).
 */
import { join } from 'node:path';
import { BROKERS, launchOf } from '../src/runtime/brokers';
import { ManagedProcess, type ProcessSpec } from '../src/runtime/managed-process';
import { freePort } from '../src/runtime/ports';
import { requireTool } from '../src/runtime/tools';
import type { Transport } from '../src/runtime/topology';

export class Broker {
  private process: ManagedProcess;

  private constructor(
    readonly kind: Transport,
    private readonly spec: ProcessSpec,
    private readonly ready: RegExp,
    readonly url: string,
    readonly monitorUrl: string | undefined,
    /** The token the server requires (NATS), else undefined. */
    readonly token: string | undefined,
  ) {
    this.process = new ManagedProcess(spec);
  }

  /**
   * `fsync`: when Redis flushes its append-only file to disk. 'always' (the
   * chaos run) before answering each write; 'everysec' (the delivery bench)
   * once a second, each write still reaching the OS before the answer (a
   * broker restart loses nothing; a power cut, up to a second). 'everysec' is
   * what JetStream does by default (its file store syncs every 2 minutes), so
   * the bench compares like with like: with 'always', every XADD, XACK and
   * idempotency SET waited on a disk flush (on a shared disk, tens of ms),
   * which no other configuration paid.
   */
  static async start(
    kind: Transport,
    dataDir: string,
    logDir: string,
    fsync: 'always' | 'everysec' = 'always',
  ): Promise<Broker> {
    const spec = BROKERS[kind];
    const ports = await Promise.all(Array.from({ length: spec.ports }, () => freePort()));
    const launch = launchOf(kind, ports, dataDir);
    // The registry's server, plus for Redis an append-only file in dataDir (later options win).
    const durable = kind === 'redis' ? ['--dir', dataDir, '--appendonly', 'yes', '--appendfsync', fsync] : [];
    const args = [...launch.args, ...durable];
    const broker = new Broker(
      kind,
      { name: kind, command: requireTool(spec.server), args, logFile: join(logDir, `${kind}.log`) },
      spec.readyLine,
      spec.url(launch.endpoints)!,
      launch.endpoints.natsMonitorUrl,
      spec.tokenOf(launch.endpoints),
    );
    await broker.process.waitForLine(broker.ready);
    return broker;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** A graceful restart on the same port and data, as an operator's upgrade would do. */
  async restart(): Promise<void> {
    await this.process.stop();
    this.process = new ManagedProcess(this.spec);
    await this.process.waitForLine(this.ready);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }
}

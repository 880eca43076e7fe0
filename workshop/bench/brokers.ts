/**
 * The brokers of a bench run, as processes this run owns (not the local
 * runtime's Backing), so that the chaos run can restart one on the same port
 * with its data: NATS keeps JetStream on disk (-sd), Redis writes every
 * command to its append-only file before answering (appendfsync always).
 */
import { join } from 'node:path';
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
  ) {
    this.process = new ManagedProcess(spec);
  }

  static async start(kind: Transport, dataDir: string, logDir: string): Promise<Broker> {
    const port = await freePort();
    const logFile = join(logDir, `${kind}.log`);
    let broker: Broker;
    if (kind === 'nats') {
      const monitor = await freePort();
      const args = [
        '-a',
        '127.0.0.1',
        '-p',
        String(port),
        '-m',
        String(monitor),
        '-js',
        '-sd',
        join(dataDir, 'jetstream'),
      ];
      broker = new Broker(
        kind,
        { name: 'nats', command: requireTool('nats-server'), args, logFile },
        /Server is ready/,
        `nats://127.0.0.1:${port}`,
        `http://127.0.0.1:${monitor}`,
      );
    } else {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dataDir];
      args.push('--appendonly', 'yes', '--appendfsync', 'always');
      broker = new Broker(
        kind,
        { name: 'redis', command: requireTool('redis-server'), args, logFile },
        /Ready to accept connections/,
        `redis://127.0.0.1:${port}`,
        undefined,
      );
    }
    await broker.process.waitForLine(broker.ready);
    return broker;
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

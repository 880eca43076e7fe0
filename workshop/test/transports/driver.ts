/**
 * Runs scenarios against the transports in a child process: the services are
 * ESM (NestJS 12 is ESM-only) and jest here is CommonJS, so the child loads
 * the TypeScript sources with tsx and drives the transport classes directly.
 * One child per test file; each call runs one scenario and returns what it saw.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

export class Driver {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: Reply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.error !== undefined) call.reject(new Error(reply.error));
      else call.resolve(reply.result);
    });
    child.once('exit', (code, signal) => {
      for (const call of this.pending.values()) call.reject(new Error(`scenario child exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  /** Starts the child with `scenarios` (a file under child/) loaded, and `env` added to its environment. */
  static async start(scenarios: string, env: Record<string, string> = {}): Promise<Driver> {
    const child = fork(join(__dirname, 'child', 'runner.ts'), [scenarios], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve()); // "ready"
      child.once('exit', (code) => reject(new Error(`scenario child for ${scenarios} exited with ${code}`)));
    });
    return new Driver(child);
  }

  run<T>(scenario: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ id, scenario, args });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

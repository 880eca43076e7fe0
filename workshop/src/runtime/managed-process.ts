/**
 * A child process the runtime owns: its output kept (last lines in memory,
 * all of it in a log file), waits on what it prints, and a stop that always
 * ends it. Every live child is killed when this process exits, so a failed
 * test or a Ctrl-C leaves no orphan behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { GiveUp, waitFor } from './wait';

const KEEP_LINES = 300;
const live = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  logFile: string;
  /** Called with each line the process prints (the local runtime shows the replicas' lines). */
  onLine?: (line: string) => void;
}

export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private readonly log: WriteStream;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;

  constructor(readonly spec: ProcessSpec) {
    this.log = createWriteStream(spec.logFile, { flags: 'a' });
    this.child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this.child);
        resolve();
      });
      this.child.once('error', (error) => {
        this.record(`[runtime] could not start ${spec.command}: ${error.message}`);
        this.exitInfo ??= { code: -1, signal: null };
        live.delete(this.child);
        resolve();
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        parts.forEach((line) => this.record(line));
      });
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the process printed (stdout and stderr together). */
  output(): string[] {
    return [...this.lines];
  }

  /**
   * Waits until the process prints a line matching `pattern` (matched, and
   * returned, without colour codes: a tool colours its output when CI or
   * FORCE_COLOR is set, even into a pipe); fails early if it exits.
   */
  async waitForLine(pattern: RegExp, timeoutMs = 20_000): Promise<string> {
    return waitFor(
      () => {
        const line = this.lines.map((l) => stripVTControlCharacters(l)).find((l) => pattern.test(l));
        if (line) return line;
        if (!this.running) {
          throw new GiveUp(`${this.spec.name} exited (${this.describeExit()}); its last output:\n${this.tail(15)}`);
        }
        return undefined;
      },
      { what: `${this.spec.name} to print ${pattern}`, timeoutMs, intervalMs: 25 },
    ).catch((error: Error) => {
      if (error instanceof GiveUp) throw error;
      throw new Error(`${error.message}\n--- last output of ${this.spec.name} ---\n${this.tail(15)}`);
    });
  }

  tail(count: number): string {
    return this.lines.slice(-count).join('\n');
  }

  describeExit(): string {
    if (!this.exitInfo) return 'running';
    return this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    await this.closeLog();
  }

  /** A crash: SIGKILL, no chance to clean up. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
    await this.closeLog();
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > KEEP_LINES) this.lines.shift();
    this.log.write(`${line}\n`);
    this.spec.onLine?.(line);
  }

  private async closeLog(): Promise<void> {
    if (this.log.closed || this.log.destroyed) return;
    this.log.end();
    await once(this.log, 'close').catch(() => undefined);
  }
}

/** What the scenarios share: waiting on conditions, and a handler that counts its runs. */
import { waitFor } from '../../../src/runtime/wait';
import { logLines } from './runner';

export { waitFor };

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The captured log lines that match `pattern`. */
export function logged(pattern: RegExp): string[] {
  return logLines.filter((line) => pattern.test(line));
}

/** Starts a Nest transport strategy (Server.listen with a callback) and resolves once it listens. */
export function listen(server: { listen(callback: (error?: unknown) => void): unknown }): Promise<void> {
  return new Promise((resolve, reject) => {
    void server.listen((error?: unknown) => (error ? reject(error as Error) : resolve()));
  });
}

/** An event handler for Server.addHandler that records each run (and can be made slow or failing). */
export function recorder(work: (run: number, data: unknown) => Promise<void> = async () => undefined) {
  const runs: { at: number; data: unknown; done?: number }[] = [];
  const handler = async (data: unknown) => {
    const run = { at: Date.now(), data };
    runs.push(run);
    await work(runs.length, data);
    Object.assign(run, { done: Date.now() });
  };
  return { runs, handler };
}

/**
 * Progress lines from deep in the runtime and the graders ("services built
 * 1.2 s", "NATS ready", "waiting for deliveries 150/200"), so that a learner
 * waiting on a live check sees what it is doing. Each phase point is one call.
 *
 * Silent unless turned on: in the CLI's own process (`workshop local`) by
 * showProgress(), in the graders' jest child by WORKSHOP_PROGRESS=1 (the CLI
 * echoes the child's output line by line). The project's own tests and
 * verify see none of it.
 */
import { dim } from './style';

export const PROGRESS_ENV = 'WORKSHOP_PROGRESS';

/** How often a repeated line (a count, a wait) is shown at most. */
const TICK_MS = 1_000;

// Written straight to stdout: jest buffers console output until a test ends.
const write = (line: string) => void process.stdout.write(`${dim(`    · ${line}`)}\n`);

let show: ((line: string) => void) | undefined = process.env[PROGRESS_ENV] === '1' ? write : undefined;
const lastTick = new Map<string, number>();

/** Turns the lines on (to stdout, or to `to`) or off in this process. */
export function showProgress(on: boolean | ((line: string) => void) = true): void {
  show = on === true ? write : on || undefined;
}

export function progressShown(): boolean {
  return show !== undefined;
}

/** One line, e.g. progress('NATS ready'). */
export function progress(line: string): void {
  show?.(line);
}

/** A line that repeats in a loop (a count): shown at most once a second per `key`. */
export function tick(key: string, line: string | (() => string)): void {
  if (!show) return;
  const now = Date.now();
  if (now - (lastTick.get(key) ?? 0) < TICK_MS) return;
  lastTick.set(key, now);
  show(typeof line === 'string' ? line : line());
}

export function seconds(sinceMs: number): string {
  return `${((Date.now() - sinceMs) / 1000).toFixed(1)} s`;
}

/**
 * `work`, with `done` and the time it took once it is over ("services built
 * 1.2 s"), and `doing` every second while it lasts. Work that blocks as it
 * starts (spawning processes) is best given as a function: the clock starts first.
 */
export async function timed<T>(doing: string, done: string, work: Promise<T> | (() => Promise<T>)): Promise<T> {
  const started = Date.now();
  const heartbeat = show ? setInterval(() => progress(`${doing} (${seconds(started)})`), TICK_MS) : undefined;
  try {
    const value = await (typeof work === 'function' ? work() : work);
    progress(`${done} ${seconds(started)}`);
    return value;
  } finally {
    clearInterval(heartbeat);
  }
}

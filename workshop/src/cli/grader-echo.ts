/**
 * The grader child's output, shown to the learner line by line as it comes:
 * whole lines only (a chunk can end mid-line), without jest's own banners,
 * and while jest starts up (a second or more before the first check's first
 * line), a line now and then that says so.
 */
import { dim } from './style';

// eslint-disable-next-line no-control-regex -- colour codes start with the ESC control character
const ANSI = /\u001b\[[0-9;]*m/g;
/** jest's banners: noise for a learner. */
const NOISE = /^(Running one project|Force exiting Jest|Determining test suites|Test results written to)/;
const HEARTBEAT_MS = 1_000;

export interface GraderEcho {
  take(chunk: Buffer | string): void;
  /** The child is done: the last partial line, and no more heartbeat. */
  end(): void;
}

export function graderEcho(show: (line: string) => void = console.log): GraderEcho {
  const started = Date.now();
  let pending = '';
  let heard = false;
  show(dim('    · starting jest'));
  const heartbeat = setInterval(
    () => show(dim(`    · starting jest (${((Date.now() - started) / 1000).toFixed(1)} s)`)),
    HEARTBEAT_MS,
  );
  const emit = (line: string) => {
    if (!line || NOISE.test(line.replace(ANSI, ''))) return;
    if (!heard) clearInterval(heartbeat);
    heard = true;
    show(line);
  };
  return {
    take(chunk) {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(emit);
    },
    end() {
      clearInterval(heartbeat);
      emit(pending);
      pending = '';
    },
  };
}

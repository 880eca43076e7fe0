import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CODE_DIRS, listFiles } from '../steps/tree';
import { REPO } from '../steps/manifest';
import { testCommand } from './test';
import { dim } from '../cli/style';

/** `──── 14:02:11  services/mail/src/main.ts changed ────` */
export function separator(what: string, now = new Date()): string {
  const time = now.toTimeString().slice(0, 8);
  const rule = '─'.repeat(Math.max(4, Math.min(process.stdout.columns ?? 80, 100) - time.length - what.length - 10));
  return dim(`──── ${time}  ${what} ${rule}`);
}

/** A save often writes several files (or one file twice): grade once they are all written. */
const DEBOUNCE_MS = 200;
const POLL_MS = 1_000;

/** A fingerprint of the learner's code: every file's path, size and mtime. */
async function fingerprint(): Promise<string> {
  const parts: string[] = [];
  for (const dir of CODE_DIRS) {
    for (const file of await listFiles(join(REPO, dir)).catch(() => [])) {
      const s = await stat(join(REPO, dir, file)).catch(() => undefined);
      if (s) parts.push(`${dir}/${file}:${s.size}:${s.mtimeMs}`);
    }
  }
  return parts.join('\n');
}

/**
 * `workshop watch [N] [--poll]`: grades on every save. Uses file system
 * events, and polls instead where they do not work (some network or
 * container file systems), or when asked to.
 */
export async function watchCommand(stepId: number | undefined, poll: boolean): Promise<number> {
  let running = false;
  let again = false;
  let announced = false;
  const grade = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    announced = false;
    await testCommand(stepId).catch((error: Error) => console.error(error.message));
    console.log(dim(`\nWatching ${CODE_DIRS.join('/, ')}/ for changes (Ctrl-C to stop)...`));
    running = false;
    if (again) {
      again = false;
      announce('changed while grading');
      void grade();
    }
  };
  // Each run starts with a rule, the time and what changed, at once: the grading itself takes seconds.
  const announce = (what: string) => {
    if (announced) return;
    announced = true;
    console.log(`\n${separator(what)}`);
  };

  let timer: NodeJS.Timeout | undefined;
  const changed = (file?: string) => {
    if (!running) announce(file ? `${file} changed` : 'a file changed');
    clearTimeout(timer);
    timer = setTimeout(() => void grade(), DEBOUNCE_MS);
  };

  let polling = false;
  const startPolling = async () => {
    if (polling) return;
    polling = true;
    let last = await fingerprint();
    setInterval(async () => {
      const now = await fingerprint();
      if (now !== last) {
        last = now;
        changed();
      }
    }, POLL_MS);
  };

  const watchers: FSWatcher[] = [];
  if (!poll) {
    try {
      for (const dir of CODE_DIRS) {
        const watcher = watch(join(REPO, dir), { recursive: true }, (_event, file) => {
          if (file && !/(^|[\\/])(node_modules|\.build)([\\/]|$)/.test(file)) changed(`${dir}/${file}`);
        });
        // Watching can also fail later (e.g. too many inotify watches): poll from then on.
        watcher.on('error', (error) => {
          console.log(`File watching stopped (${error.message}): polling every ${POLL_MS} ms.`);
          watchers.forEach((w) => w.close());
          void startPolling();
        });
        watchers.push(watcher);
      }
    } catch (error) {
      console.log(`File watching is not available here (${(error as Error).message}): polling every ${POLL_MS} ms.`);
      watchers.forEach((w) => w.close());
      watchers.length = 0;
      poll = true;
    }
  }
  if (poll) void startPolling();
  announce('first run');
  await grade();
  return new Promise(() => undefined); // until Ctrl-C
}

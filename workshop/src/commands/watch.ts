import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CODE_DIRS, listFiles } from '../steps/tree';
import { REPO } from '../steps/manifest';
import { testCommand } from './test';

const DEBOUNCE_MS = 300;
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
export async function watchCommand(stepArg: string | undefined, poll: boolean): Promise<number> {
  let running = false;
  let again = false;
  const grade = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    console.clear();
    await testCommand(stepArg).catch((error: Error) => console.error(error.message));
    console.log(`\nWatching ${CODE_DIRS.join('/, ')}/ for changes (Ctrl-C to stop)...`);
    running = false;
    if (again) {
      again = false;
      void grade();
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
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
          if (file && !/(^|[\\/])(node_modules|\.build)([\\/]|$)/.test(file)) changed();
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
  await grade();
  return new Promise(() => undefined); // until Ctrl-C
}

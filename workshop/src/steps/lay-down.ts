/**
 * Lays files from the step folders over the learner's tree, backing up
 * every file it would change first: nothing a learner wrote is ever lost.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exists, listFiles } from './tree';

export interface LayDownResult {
  /** Files written (relative paths). */
  written: string[];
  /** Where the replaced files were saved, or undefined when none had to be. */
  backupDir?: string;
}

async function sameContent(a: string, b: string): Promise<boolean> {
  if (!(await exists(a)) || !(await exists(b))) return false;
  const [x, y] = await Promise.all([readFile(a), readFile(b)]);
  return x.equals(y);
}

/**
 * Applies `overlays` in order onto `root`. The final content of each file is
 * decided first; then every file that exists and would change is copied to
 * <root>/.workshop/backups/<time>-<label>/ before anything is written.
 */
export async function layDown(root: string, overlays: string[], label: string): Promise<LayDownResult> {
  const finalSource = new Map<string, string>();
  for (const dir of overlays) {
    if (!(await exists(dir))) continue;
    for (const file of await listFiles(dir)) finalSource.set(file, join(dir, file));
  }
  const changes: [string, string][] = [];
  for (const [file, source] of finalSource) {
    if (!(await sameContent(source, join(root, file)))) changes.push([file, source]);
  }

  const toBackUp: string[] = [];
  for (const [file] of changes) if (await exists(join(root, file))) toBackUp.push(file);
  let backupDir: string | undefined;
  if (toBackUp.length > 0) {
    backupDir = join(root, '.workshop', 'backups', `${new Date().toISOString().replace(/[:.]/g, '-')}-${label}`);
    for (const file of toBackUp) {
      await mkdir(dirname(join(backupDir, file)), { recursive: true });
      await copyFile(join(root, file), join(backupDir, file));
    }
  }
  for (const [file, source] of changes) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await copyFile(source, join(root, file));
  }
  return { written: changes.map(([file]) => file).sort(), backupDir };
}

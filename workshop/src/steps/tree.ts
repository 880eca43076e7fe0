/**
 * Working trees for grading and verification: a copy of the repository's
 * code (services/, infra/) inside <repo>/.workshop/trees/, so that Node finds
 * the repository's node_modules by walking up, with step files laid over it.
 */
import type { Hash } from 'node:crypto';
import { cp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** The folders of the repository that a step can change. */
export const CODE_DIRS = ['services', 'infra', 'measure'] as const;

/** Root files a tree needs besides them (the services' tsconfig extends the base). */
const ROOT_FILES = ['tsconfig.base.json'];

const NEVER_COPY = new Set(['node_modules', '.build', '.git', '.workshop', '.pulumi']);

function keep(source: string): boolean {
  return !source.split(sep).some((part) => NEVER_COPY.has(part));
}

/** Every file below `dir`, as paths relative to it (what lies in a NEVER_COPY folder below it left out). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      // Relative: `dir` itself may lie in such a folder (the trees under .workshop/).
      if (!keep(relative(dir, path))) continue;
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(dir, path));
    }
  }
  await walk(dir);
  return out.sort();
}

/** Feeds every file below `dir` (its path and its bytes) to `hash`: two folders with the same files hash alike. */
export async function hashFiles(hash: Hash, dir: string): Promise<Hash> {
  for (const file of await listFiles(dir))
    hash
      .update(file)
      .update('\0')
      .update(await readFile(join(dir, file)))
      .update('\0');
  return hash;
}

export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Copies `overlayDir` onto `root`, file by file (same relative paths). */
export async function overlay(root: string, overlayDir: string): Promise<string[]> {
  const files = await listFiles(overlayDir);
  await Promise.all(files.map((file) => cp(join(overlayDir, file), join(root, file))));
  return files;
}

/**
 * A fresh tree at <repo>/.workshop/trees/<name>: the repository's code,
 * then each overlay in order.
 */
export async function makeTree(repo: string, name: string, overlays: string[] = []): Promise<string> {
  const root = join(repo, '.workshop', 'trees', name);
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  for (const dir of CODE_DIRS) {
    if (await exists(join(repo, dir))) await cp(join(repo, dir), join(root, dir), { recursive: true, filter: keep });
  }
  for (const file of ROOT_FILES) {
    if (await exists(join(repo, file))) await cp(join(repo, file), join(root, file));
  }
  for (const dir of overlays) await overlay(root, dir);
  return root;
}

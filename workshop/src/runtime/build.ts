/**
 * Compiles the services' TypeScript with swc (fast, and it emits the
 * decorator metadata NestJS's dependency injection needs) into
 * services/.build/<content hash>/, so an unchanged tree is never rebuilt and
 * two trees never overwrite each other's output.
 */
import { transformFile, type Options } from '@swc/core';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

const SWC_OPTIONS: Options = {
  swcrc: false,
  sourceMaps: 'inline',
  module: { type: 'es6' },
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
};

const SKIP = /(\.test|\.spec|\.d)\.ts$/;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(path);
      }
      return entry.name.endsWith('.ts') && !SKIP.test(entry.name) ? [path] : [];
    }),
  );
  return files.flat().sort();
}

/** Builds `<root>/services` and returns the folder holding `<service>/src/main.js`. */
export async function buildServices(root: string): Promise<string> {
  const servicesDir = join(root, 'services');
  const files = await sourceFiles(servicesDir);
  if (files.length === 0) throw new Error(`no TypeScript sources under ${servicesDir}`);

  const hash = createHash('sha256');
  const sources = await Promise.all(files.map((file) => readFile(file)));
  files.forEach((file, i) => hash.update(relative(servicesDir, file)).update('\0').update(sources[i]).update('\0'));
  const outDir = join(servicesDir, '.build', hash.digest('hex').slice(0, 16));
  if (existsSync(outDir)) return outDir;

  // Build beside, then rename: a half-written build is never seen as done.
  const tmpDir = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, { ...SWC_OPTIONS, filename: file });
      const target = join(tmpDir, relative(servicesDir, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, code);
    }),
  );
  try {
    await rename(tmpDir, outDir);
  } catch (error) {
    await rm(tmpDir, { recursive: true, force: true });
    if (!existsSync(outDir)) throw error; // someone else finished the same build first: fine
  }
  await pruneOldest(join(servicesDir, '.build'), KEEP_BUILDS);
  return outDir;
}

/** Builds of sources that changed since: a few are kept (going back and forth), the rest removed. */
const KEEP_BUILDS = 6;

/** Removes all but the `keep` most recent entries of `dir` (the newest by modification time). */
export async function pruneOldest(dir: string, keep: number): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const dated = await Promise.all(
    entries
      .filter((name) => !name.includes('.tmp-'))
      .map(async (name) => ({ name, time: (await stat(join(dir, name)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  const old = dated.sort((a, b) => b.time - a.time).slice(keep);
  await Promise.all(old.map(({ name }) => rm(join(dir, name), { recursive: true, force: true })));
}

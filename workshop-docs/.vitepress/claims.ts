/**
 * What the workshop must never promise: "exactly once". Delivery between
 * machines that can crash is at most once or at least once; the best a
 * consumer can do is effectively once (at-least-once delivery plus dedupe),
 * with a window the step 5 page names. The words may appear only in a
 * passage that says why the workshop says "effectively once".
 *
 * Scanned: every text a learner reads: the README, the guide's pages, the
 * manifest (titles, summaries, hints), the starters, solutions and graders,
 * the services, the Pulumi program, and the CLI's messages.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Folders (from the repository root) whose files a learner reads. */
export const LEARNER_TEXT_ROOTS = [
  'README.md',
  'workshop-docs',
  'steps',
  'solutions',
  'services',
  'infra',
  'measure',
  'workshop/src',
];

const SKIP = new Set(['node_modules', 'dist', 'cache', '.build', '.workshop', 'public']);
const TEXT_FILE = /\.(md|ts|tsx|vue|json|cjs|mjs|js|yaml|yml)$/;

const OVERCLAIM = /exactly[\s-]+once/i;
const EXPLAINED = /effectively[\s-]+once/i;

export interface Overclaim {
  file: string;
  line: number;
  text: string;
}

/** The files under `roots` (relative to `repo`) that may hold text a learner reads. */
export function learnerTextFiles(repo: string, roots = LEARNER_TEXT_ROOTS): string[] {
  const files: string[] = [];
  const walk = (path: string) => {
    if (!statSync(path).isDirectory()) {
      if (TEXT_FILE.test(path)) files.push(path);
      return;
    }
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (SKIP.has(entry.name) || entry.name.startsWith('.git')) continue;
      walk(join(path, entry.name));
    }
  };
  for (const root of roots) if (existsSync(join(repo, root))) walk(join(repo, root));
  return files.sort();
}

/**
 * The passages of `text` (blocks between blank lines) that say "exactly once"
 * and not, in the same passage, "effectively once".
 */
export function overclaimsIn(text: string, file = ''): Overclaim[] {
  const found: Overclaim[] = [];
  const lines = text.split(/\r?\n/);
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i < lines.length && lines[i].trim() !== '') continue;
    const passage = lines.slice(start, i).join('\n');
    if (OVERCLAIM.test(passage) && !EXPLAINED.test(passage)) {
      const offset = lines.slice(start, i).findIndex((l) => OVERCLAIM.test(l));
      // The words may wrap over two lines: point at the passage's first line then.
      const at = offset >= 0 ? start + offset : start;
      found.push({ file, line: at + 1, text: lines[at].trim() });
    }
    start = i + 1;
  }
  return found;
}

export function findOverclaims(repo: string, roots = LEARNER_TEXT_ROOTS): Overclaim[] {
  return learnerTextFiles(repo, roots).flatMap((path) =>
    overclaimsIn(readFileSync(path, 'utf8'), relative(repo, path)),
  );
}

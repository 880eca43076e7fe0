/**
 * `npm run steps -- sync`: carries a change made to one copy of a learner file
 * forward into the copies after it, the way a rebase carries a commit.
 *
 * For each step in order and each file it edits: if the file's previous end
 * (the baseline, or the solution of a step before) changed since a git
 * revision (default HEAD), that change is merged into the step's starter and
 * solution with `git merge-file` (base: the previous end at the revision).
 * Steps run in order, so a change to step 2's solution reaches step 3's
 * starter and solution, then step 4's, and so on. A change that collides
 * with a step's own edit is left with conflict markers, and listed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previousCopy } from './copies';
import { loadSteps, REPO, solutionDir, starterDir } from './manifest';

export interface SyncResult {
  updated: string[];
  conflicts: string[];
}

function atRevision(repo: string, rev: string, path: string): string | undefined {
  const relative = path.slice(repo.length + 1);
  const shown = spawnSync('git', ['show', `${rev}:${relative}`], { cwd: repo, encoding: 'utf8' });
  return shown.status === 0 ? shown.stdout : undefined;
}

/** Merges the change old -> now into `target` (in place); the number of conflicts. */
function mergeInto(target: string, old: string, now: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'steps-sync-'));
  try {
    writeFileSync(join(dir, 'old'), old);
    writeFileSync(join(dir, 'now'), now);
    const labels = ['-L', target, '-L', 'before', '-L', 'the step before, now'];
    const merged = spawnSync('git', ['merge-file', '-p', ...labels, target, join(dir, 'old'), join(dir, 'now')], {
      encoding: 'utf8',
    });
    if (merged.status === null || merged.status < 0) throw new Error(`git merge-file failed: ${merged.stderr}`);
    writeFileSync(target, merged.stdout);
    return merged.status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function syncCopies(rev = 'HEAD', repo = REPO): SyncResult {
  execFileSync('git', ['rev-parse', '--verify', rev], { cwd: repo, stdio: 'ignore' });
  const result: SyncResult = { updated: [], conflicts: [] };
  for (const step of loadSteps(repo)) {
    for (const file of step.files) {
      const before = previousCopy(step, file, repo);
      if (!before) continue;
      const old = atRevision(repo, rev, before);
      const now = readFileSync(before, 'utf8');
      if (old === undefined || old === now) continue;
      for (const target of [join(starterDir(step, repo), file), join(solutionDir(step, repo), file)]) {
        if (!existsSync(target)) continue;
        const was = readFileSync(target, 'utf8');
        const conflicts = mergeInto(target, old, now);
        const relative = target.slice(repo.length + 1);
        if (conflicts > 0) result.conflicts.push(relative);
        else if (readFileSync(target, 'utf8') !== was) result.updated.push(relative);
      }
    }
  }
  return result;
}

/**
 * `npm run steps -- sync`: carries a change made to one copy of a learner file
 * forward into the copies after it, the way a rebase carries a commit.
 *
 * A chain of copies: the baseline, step 1's starter, its solution, step 2's
 * starter (from the end of step 1), its solution, and so on. For each step in
 * order and each file it edits, what changed since a git revision (default
 * HEAD) in the copy before is merged into the next with `git merge-file`
 * (base: that copy at the revision): the previous end's change into the
 * starter, the starter's change into the solution. A solution edited by hand
 * since the revision is kept as it is (its author wrote the step anew). So a
 * change to step 2's solution reaches step 3's starter and solution, then
 * step 4's, and so on. A change that collides with a step's own edit is left
 * with conflict markers, and listed.
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
  /** Solutions edited by hand since the revision: left as they are. */
  kept: string[];
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
  const result: SyncResult = { updated: [], conflicts: [], kept: [] };
  const relative = (path: string) => path.slice(repo.length + 1);
  /** Merges what changed in `from` since rev into `target`; false if `from` did not change. */
  const carry = (from: string, target: string): void => {
    const old = atRevision(repo, rev, from);
    const now = readFileSync(from, 'utf8');
    if (old === undefined || old === now || !existsSync(target)) return;
    const was = readFileSync(target, 'utf8');
    const conflicts = mergeInto(target, old, now);
    if (conflicts > 0) result.conflicts.push(relative(target));
    else if (readFileSync(target, 'utf8') !== was) result.updated.push(relative(target));
  };
  for (const step of loadSteps(repo)) {
    for (const file of step.files) {
      const starter = join(starterDir(step, repo), file);
      const solution = join(solutionDir(step, repo), file);
      // The starter is the previous end with the step's gap and TODOs: it takes the previous end's change.
      const before = previousCopy(step, file, repo);
      if (before) carry(before, starter);
      // The solution is the starter with the work done: it takes the starter's change, unless it was
      // itself edited since rev (then whoever edited it wrote the step anew: keep it, drift is checked anyway).
      if (!existsSync(solution)) continue;
      if (result.conflicts.includes(relative(starter))) continue; // its starter is for a person to finish first
      const solutionThen = atRevision(repo, rev, solution);
      if (solutionThen === undefined) continue; // new since rev: written by hand, nothing to carry
      if (solutionThen !== readFileSync(solution, 'utf8')) result.kept.push(relative(solution));
      else carry(starter, solution);
    }
  }
  return result;
}

/**
 * The workshop never promises "exactly once" where a learner reads it: the
 * guide, the README, the manifest, starters, solutions, graders, services,
 * infra and the CLI. It says "effectively once", and the words "exactly once"
 * may only appear in a passage that explains why.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOverclaims, learnerTextFiles, overclaimsIn } from '../../workshop-docs/.vitepress/claims';

const REPO = join(__dirname, '..', '..');

describe('"exactly once" where a learner reads it', () => {
  it('scans the guide, the manifest, the steps, the services and the CLI', () => {
    const files = learnerTextFiles(REPO).map((f) => f.slice(REPO.length + 1));
    for (const expected of [
      'README.md',
      'workshop-docs/steps/05-idempotency.md',
      'steps/steps.json',
      'services/shared/src/idempotency/guard.ts',
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.some((f) => f.includes('node_modules'))).toBe(false);
  });

  it('is said nowhere, except where a passage explains "effectively once"', () => {
    const found = findOverclaims(REPO).map((o) => `${o.file}:${o.line}: ${o.text}`);
    expect(found).toEqual([]);
  });

  it('fails on the words in any spelling, and names the file and line', () => {
    expect(overclaimsIn('Intro.\n\nWe deliver each event exactly once.\n', 'a.md')).toEqual([
      { file: 'a.md', line: 3, text: 'We deliver each event exactly once.' },
    ]);
    expect(overclaimsIn('// exactly-once processing', 'b.ts')).toHaveLength(1);
    expect(overclaimsIn('Exactly\nonce, as the title says.')).toHaveLength(1);
    expect(overclaimsIn('**Exactly Once**')).toHaveLength(1);
  });

  it('lets a passage that says why it is "effectively once" name the words', () => {
    const text = 'Exactly-once delivery does not exist.\nWhat you build is effectively once.\n\nNext paragraph.';
    expect(overclaimsIn(text)).toEqual([]);
    // ...but only that passage: the next one is judged on its own.
    expect(overclaimsIn(`${text}\n\nAnd then exactly once again.`)).toHaveLength(1);
  });

  it('finds a file a step adds, in a tree of its own', () => {
    const repo = mkdtempSync(join(tmpdir(), 'claims-'));
    try {
      mkdirSync(join(repo, 'workshop-docs', 'steps'), { recursive: true });
      writeFileSync(join(repo, 'workshop-docs', 'steps', '07-new.md'), '# Step 7\n\nNow exactly-once.\n');
      mkdirSync(join(repo, 'workshop-docs', 'node_modules', 'x'), { recursive: true });
      writeFileSync(join(repo, 'workshop-docs', 'node_modules', 'x', 'README.md'), 'exactly once\n');
      expect(findOverclaims(repo)).toEqual([
        { file: 'workshop-docs/steps/07-new.md', line: 3, text: 'Now exactly-once.' },
      ]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

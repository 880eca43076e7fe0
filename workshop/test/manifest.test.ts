import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { baselineDir, endOverlays, loadSteps, REPO, startOverlays, type Step } from '../src/steps/manifest';
import { listFiles } from '../src/steps/tree';

describe('the step manifest', () => {
  const steps = loadSteps();

  test('ids are 1..N in order, slugs are NN-name and unique', () => {
    expect(steps.map((s) => s.id)).toEqual(steps.map((_s, i) => i + 1));
    for (const step of steps) expect(step.slug).toMatch(new RegExp(`^${String(step.id).padStart(2, '0')}-[a-z-]+$`));
    expect(new Set(steps.map((s) => s.slug)).size).toBe(steps.length);
  });

  test('every step has a title, files, question hints and checks', () => {
    for (const step of steps) {
      expect(step.title.length).toBeGreaterThan(3);
      expect(step.files.length).toBeGreaterThan(0);
      expect(step.hints.length).toBeGreaterThan(0);
      for (const hint of step.hints) expect(hint.trim().endsWith('?')).toBe(true);
      expect(step.checks.length).toBeGreaterThan(0);
    }
  });

  test('the start of a step is the solutions before it, then its starter', () => {
    const last = steps[steps.length - 1];
    const chain = (s: Step): Step[] => {
      const baseId = s.base ?? s.id - 1;
      const base = steps.find((x) => x.id === baseId);
      return base ? [...chain(base), base] : [];
    };
    expect(startOverlays(last)).toEqual([
      baselineDir(),
      ...chain(last).map((s) => join(REPO, 'solutions', s.slug)),
      join(REPO, 'steps', last.slug, 'starter'),
    ]);
    expect(endOverlays(last)).toEqual([
      baselineDir(),
      ...[...chain(last), last].map((s) => join(REPO, 'solutions', s.slug)),
    ]);
  });
});

test('the baseline holds every file a step changes, as the working tree of a fresh clone has it', async () => {
  const touched = new Set<string>();
  for (const step of loadSteps()) {
    for (const dir of [join(REPO, 'steps', step.slug, 'starter'), join(REPO, 'solutions', step.slug)]) {
      for (const file of await listFiles(dir).catch(() => [])) touched.add(file);
    }
  }
  const baseline = await listFiles(baselineDir());
  expect(baseline).toEqual([...touched].sort());
  // In CI (a fresh clone) the working tree is the start of step 1; a learner's tree may differ.
  if (process.env.CI) {
    for (const file of baseline) {
      expect([file, await readFile(join(baselineDir(), file), 'utf8')]).toEqual([
        file,
        await readFile(join(REPO, file), 'utf8'),
      ]);
    }
  }
});

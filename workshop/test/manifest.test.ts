import { join } from 'node:path';
import { endOverlays, loadSteps, REPO, startOverlays, type Step } from '../src/steps/manifest';

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
      ...chain(last).map((s) => join(REPO, 'solutions', s.slug)),
      join(REPO, 'steps', last.slug, 'starter'),
    ]);
    expect(endOverlays(last)).toEqual([...chain(last), last].map((s) => join(REPO, 'solutions', s.slug)));
  });
});

import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  baselineDir,
  endOverlays,
  loadSteps,
  manifestProblems,
  REPO,
  startOverlays,
  type Step,
} from '../src/steps/manifest';
import { checkManifest } from '../src/steps/prove';
import { readmeProblems } from '../src/steps/readme';
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
  // A file a step lays down new (step 4's delivery contract) is in no fresh clone, so in no baseline either.
  const laidDown = new Set([...touched].filter((file) => !existsSync(join(REPO, file))));
  expect(baseline).toEqual([...touched].filter((file) => !laidDown.has(file)).sort());
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

describe('the manifest is checked where it is read', () => {
  const steps = loadSteps();
  const raw = () => JSON.parse(JSON.stringify({ steps })) as { steps: Record<string, unknown>[] };

  test('the real manifest holds together', () => {
    expect(manifestProblems(raw())).toEqual([]);
  });

  test('its JSON schema: a missing field, a field of the wrong type, an unknown field, a hint that asks nothing', () => {
    const bad = raw();
    delete bad.steps[0].title;
    bad.steps[1].checks = ['infra', 'e2e'];
    bad.steps[2].hint = 'typo of hints';
    bad.steps[3].hints = ['Do this.'];
    expect(manifestProblems(bad)).toEqual([
      'steps.json.steps[0]: "title" is required',
      'steps.json.steps[1].checks[1]: should be one of "infra", "live", is "e2e"',
      'steps.json.steps[2]: "hint" is not a known field',
      'steps.json.steps[3].hints[0]: "Do this." should match /\\?\\s*$/',
    ]);
  });

  test('a step after a bonus step must say its base, ids go in order, a base is an earlier step', () => {
    // The steps up to the (first) bonus step, and a new step after it.
    const upToBonus = raw().steps.slice(0, steps.findIndex((s) => s.bonus) + 1);
    const bonus = steps[upToBonus.length - 1];
    const id = upToBonus.length + 1;
    const next = { ...steps[0], id, slug: `${String(id).padStart(2, '0')}-next` };
    expect(manifestProblems({ steps: [...upToBonus, next] })).toEqual([
      `step ${id} (${next.slug}) follows a bonus step: say which step it builds on with "base" (e.g. ${bonus.base})`,
    ]);
    expect(manifestProblems({ steps: [...upToBonus, { ...next, base: 5 }] })).toEqual([]);
    expect(manifestProblems({ steps: [...upToBonus, { ...next, base: id }] })).toEqual([
      `step ${id} (${next.slug}): base ${id} is not an earlier step`,
    ]);
    const swapped = raw();
    swapped.steps[0].id = 2;
    expect(manifestProblems(swapped)).toEqual(
      expect.arrayContaining(['step 2 (01-provision): ids go 1..N in order; this one should be 1']),
    );
  });
});

test("the README's steps table is the manifest's steps, titles included", () => {
  expect(readmeProblems(loadSteps())).toEqual([]);
  const moved = loadSteps().map((s) => (s.id === 4 ? { ...s, title: 'Another title' } : s));
  expect(readmeProblems(moved)).toEqual([
    'README.md\'s steps table row 4 is "| 4 | JetStream survives a crashed replica |": it should start "| 4 | Another title |"',
  ]);
});

test('verify finds a check file that the manifest does not list (it would never run)', async () => {
  const step = loadSteps()[0];
  expect(await checkManifest(step)).toEqual([]);
  expect(await checkManifest({ ...step, checks: ['infra'] })).toEqual([
    'checks/live.check.ts is not in the manifest\'s "checks" of this step, so it never runs: add "live" or remove the file',
  ]);
});

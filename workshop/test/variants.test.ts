import { rm } from 'node:fs/promises';
import { endOverlays, loadSteps, REPO } from '../src/steps/manifest';
import { makeTree } from '../src/steps/tree';
import { applyVariant, loadVariants } from '../src/steps/variants';

describe("the steps' variants (verify grades them; here: they still fit their solutions)", () => {
  for (const step of loadSteps()) {
    const variants = loadVariants(step);
    test(`step ${step.id}: at least two correct variants and one known-wrong one, each applying cleanly`, async () => {
      expect(variants.filter((v) => v.expect === 'pass').length).toBeGreaterThanOrEqual(2);
      expect(variants.filter((v) => v.expect === 'fail').length).toBeGreaterThanOrEqual(1);
      for (const variant of variants) {
        const tree = await makeTree(REPO, `variants-unit-${process.pid}-${step.id}-${variant.name}`, endOverlays(step));
        try {
          await applyVariant(tree, variant);
        } finally {
          await rm(tree, { recursive: true, force: true });
        }
      }
    });
  }

  test('an edit whose text is not in the solution is an error that names the variant', async () => {
    const [step] = loadSteps();
    const tree = await makeTree(REPO, `variants-unit-${process.pid}-drift`, endOverlays(step));
    try {
      await expect(
        applyVariant(tree, {
          name: 'drifted',
          expect: 'pass',
          why: 'test',
          edits: [{ file: 'infra/index.ts', find: 'no such text', replace: 'x' }],
        }),
      ).rejects.toThrow(/variant "drifted": infra\/index.ts holds the text to replace 0 times/);
    } finally {
      await rm(tree, { recursive: true, force: true });
    }
  });
});

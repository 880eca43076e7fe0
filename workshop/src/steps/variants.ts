/**
 * Other ways to solve a step (they must pass its graders) and known-wrong
 * ones (they must fail), as small edits of the step's solution:
 * steps/<slug>/variants.json. An edit whose text is no longer in the
 * solution is an error, so the variants cannot drift from it silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO, type Step } from './manifest';

export type VariantEdit = { file: string; find: string; replace: string } | { file: string; copyFrom: string };

export interface Variant {
  name: string;
  /** pass: a correct solution written another way; fail: a known mistake. */
  expect: 'pass' | 'fail';
  why: string;
  /** For a known-wrong variant: a pattern its failure message must match (it fails for its own reason). */
  expectMessage?: string;
  edits: VariantEdit[];
}

export function loadVariants(step: Step, repo = REPO): Variant[] {
  const file = join(repo, 'steps', step.slug, 'variants.json');
  if (!existsSync(file)) return [];
  return (JSON.parse(readFileSync(file, 'utf8')) as { variants: Variant[] }).variants;
}

/** Applies a variant's edits to a tree (the end of its step). */
export async function applyVariant(tree: string, variant: Variant, repo = REPO): Promise<void> {
  for (const edit of variant.edits) {
    const target = join(tree, edit.file);
    if ('copyFrom' in edit) {
      await writeFile(target, await readFile(join(repo, edit.copyFrom)));
      continue;
    }
    const text = await readFile(target, 'utf8');
    const count = text.split(edit.find).length - 1;
    if (count !== 1) {
      throw new Error(
        `variant "${variant.name}": ${edit.file} holds the text to replace ${count} times, not once:\n${edit.find}`,
      );
    }
    await writeFile(target, text.replace(edit.find, edit.replace));
  }
}

/**
 * What a grader is grading: the tree (WORKSHOP_TREE, default: the learner's
 * repository) and the target (WORKSHOP_TARGET: `local` processes, or the
 * `stack` that `workshop up` deployed).
 */
import { REPO } from '../steps/manifest';

export type Target = 'local' | 'stack';

export function gradingTree(): string {
  return process.env.WORKSHOP_TREE || REPO;
}

export function gradingTarget(): Target {
  const target = process.env.WORKSHOP_TARGET || 'local';
  if (target !== 'local' && target !== 'stack') {
    throw new Error(`WORKSHOP_TARGET must be "local" or "stack", not "${target}"`);
  }
  return target;
}

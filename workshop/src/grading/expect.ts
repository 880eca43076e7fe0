/**
 * How graders fail: with a sentence for the learner (what was expected, what
 * was seen, what to look at), never with a bare assertion diff.
 */
export class GradeError extends Error {
  override name = 'GradeError';
}

/** Fails the check with `message` unless `condition` holds. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new GradeError(typeof message === 'function' ? message() : message);
}

/** Fails the check: `expected` vs `seen`, and a hint of where to look. */
export function checkEqual<T>(seen: T, expected: T, what: string, hint = ''): void {
  check(
    seen === expected,
    () => `${what}: expected ${String(expected)}, saw ${String(seen)}.${hint ? `\n${hint}` : ''}`,
  );
}

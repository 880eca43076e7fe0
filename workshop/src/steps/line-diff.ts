/**
 * A line diff small enough to read: the longest common subsequence of two
 * short files (learner files are a few hundred lines at most), as hunks.
 * The step model's copy checks (copies.ts) compare files in code lines only,
 * so comments and blank lines never count as a change.
 */

/** A changed region: lines [aStart, aEnd) of `a` became lines [bStart, bEnd) of `b` (either may be empty). */
export interface Hunk {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

export function diffLines(a: readonly string[], b: readonly string[]): Hunk[] {
  // lcs[i][j]: the length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const hunks: Hunk[] = [];
  let open: Hunk | undefined;
  let i = 0;
  let j = 0;
  const grow = () => (open ??= { aStart: i, aEnd: i, bStart: j, bEnd: j });
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      if (open) hunks.push(open);
      open = undefined;
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      grow().bEnd = ++j;
    } else {
      grow().aEnd = ++i;
    }
  }
  if (open) hunks.push(open);
  return hunks;
}

/** Whether two hunks' regions in the middle file touch: closed intervals, so an insertion point next to a change counts. */
export function touches(x: { start: number; end: number }, y: { start: number; end: number }): boolean {
  return x.start <= y.end && y.start <= x.end;
}

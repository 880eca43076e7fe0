/**
 * The copies of a learner file across steps, kept honest by a machine.
 *
 * A file a step edits lives in several copies: the baseline (the fresh clone),
 * each step's starter, each step's solution. The starter of step N is the end
 * of the step before (its "previous end") with the step's work taken out and
 * TODOs put in; its solution is the starter with the work done. So:
 *
 * - drift: a starter may differ from the previous end in code only where the
 *   step's own edit is (the lines the solution then changes). Anything else is
 *   a copy that fell behind, or ran ahead of, the step before it.
 *   `npm run steps -- sync` carries a change forward (three-way merges).
 * - TODO leaks: a starter's TODO says what must become true, never the code to
 *   type: it must not quote a dotted name, a call, a string literal or a
 *   camelCase / CONSTANT_CASE name that the solution's edit writes and the
 *   starter does not already have (steps/<slug>/todo-allow.json lists the
 *   few names a TODO must give, each with why).
 * - learner lines: how many code lines the learner writes in the step (added
 *   or changed, non-blank, non-comment, between start and end).
 *
 * All three compare code lines only: comments and blank lines never count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines, touches } from './line-diff';
import { baselineDir, REPO, solutionDir, starterDir, stepsBefore, type Step } from './manifest';

/** A file's code lines, each with its line number (1-based): comments, blank lines and trailing `// ...` left out. */
export interface CodeLines {
  text: string[];
  lineNo: number[];
}

/** A trailing comment: `//` after whitespace (so `smtp://host` is not one), to the end of the line. */
const TRAILING_COMMENT = /\s+\/\/\s.*$|\s+\/\/$/;

export function codeLines(source: string): CodeLines {
  const out: CodeLines = { text: [], lineNo: [] };
  let inBlock = false;
  source.split('\n').forEach((raw, index) => {
    let line = raw.trim();
    if (inBlock) {
      if (!line.includes('*/')) return;
      inBlock = false;
      line = line.slice(line.indexOf('*/') + 2).trim();
    }
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) {
        inBlock = true;
        return;
      }
      line = line.slice(line.indexOf('*/') + 2).trim();
    }
    if (line === '' || line.startsWith('//')) return;
    out.text.push(line.replace(TRAILING_COMMENT, '').trim());
    out.lineNo.push(index + 1);
  });
  return out;
}

/** Where a step's file came from: the copy in the step's previous end (the baseline or a solution before it). */
export function previousCopy(step: Step, file: string, repo = REPO): string | undefined {
  const overlays = [baselineDir(repo), ...stepsBefore(step, repo).map((s) => solutionDir(s, repo))];
  return overlays
    .map((dir) => join(dir, file))
    .reverse()
    .find((path) => existsSync(path));
}

const read = (path: string) => readFileSync(path, 'utf8');
const rel = (repo: string, path: string) => path.slice(repo.length + 1);

/** The step's own edit of a file: the starter-to-solution hunks, in starter code lines. */
function stepEdit(step: Step, file: string, repo: string) {
  const starterPath = join(starterDir(step, repo), file);
  // No starter: verify reports it; meanwhile the whole solution is the edit.
  const starter = existsSync(starterPath) ? codeLines(read(starterPath)) : codeLines('');
  const solution = codeLines(read(join(solutionDir(step, repo), file)));
  const hunks = diffLines(starter.text, solution.text);
  /** The code the learner writes: the solution's lines of each hunk. */
  const written = hunks.map((h) => solution.text.slice(h.bStart, h.bEnd));
  return { starter, hunks, written };
}

function quote(lines: string[]): string {
  const shown = lines.slice(0, 3).map((l) => `      ${l}`);
  if (lines.length > 3) shown.push(`      ... (${lines.length - 3} more)`);
  return shown.length ? shown.join('\n') : '      (nothing)';
}

/**
 * Where a step's starters differ in code from the step before outside the
 * step's own edit: each a sentence naming the file, the lines, both sides.
 */
export function driftProblems(step: Step, repo = REPO): string[] {
  const problems: string[] = [];
  for (const file of step.files) {
    const before = previousCopy(step, file, repo);
    if (!before || !existsSync(join(starterDir(step, repo), file)) || !existsSync(join(solutionDir(step, repo), file)))
      continue; // a file the step lays down, or one verify reports missing anyway
    const previous = codeLines(read(before));
    const { starter, hunks: own } = stepEdit(step, file, repo);
    for (const h of diffLines(previous.text, starter.text)) {
      const region = { start: h.bStart, end: h.bEnd };
      if (own.some((g) => touches(region, { start: g.aStart, end: g.aEnd }))) continue;
      const at = starter.lineNo[h.bStart] ?? (starter.lineNo[h.bStart - 1] ?? 0) + 1;
      problems.push(
        `starter ${file} drifted from ${rel(repo, before)} near its line ${at}, outside this step's own edit:\n` +
          `    the step before has:\n${quote(previous.text.slice(h.aStart, h.aEnd))}\n` +
          `    the starter has:\n${quote(starter.text.slice(h.bStart, h.bEnd))}\n` +
          `    (a change made to one copy only: carry it forward with \`npm run steps -- sync\`, or make it part of the step's edit)`,
      );
    }
  }
  return problems;
}

/** The text of each TODO of a starter: its line and the comment lines that continue it. */
export function todoTexts(source: string): { line: number; text: string }[] {
  const lines = source.split('\n');
  const todos: { line: number; text: string }[] = [];
  lines.forEach((line, i) => {
    const at = line.indexOf('TODO:');
    if (at < 0) return;
    let text = line.slice(at + 'TODO:'.length);
    for (let k = i + 1; k < lines.length && /^\s*(\/\/|\*(?!\/))/.test(lines[k]!) && !lines[k]!.includes('TODO:'); k++)
      text += ' ' + lines[k]!.replace(/^\s*(\/\/|\*)\s?/, '');
    todos.push({ line: i + 1, text: text.trim() });
  });
  return todos;
}

/**
 * The names and literals a line of code writes that would give it away:
 * dotted names (`mailDev.smtpUrl`), calls (`natsConnection(`), string literals,
 * camelCase, CONSTANT_CASE and PascalCase names with two capitals.
 */
export function giveaways(code: string): string[] {
  const found = new Set<string>();
  for (const m of code.matchAll(/'((?:[^'\\]|\\.)+)'|"((?:[^"\\]|\\.)+)"|`([^`]+)`/g)) {
    // A template literal gives away its fixed parts (`smtp://maildev:${port}`: "smtp://maildev:").
    for (const literal of (m[1] ?? m[2] ?? m[3] ?? '').split(/\$\{[^}]*\}/))
      if (literal.trim().length >= 2) found.add(`'${literal}'`);
  }
  const bare = code.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`[^`]*`/g, ' ');
  for (const m of bare.matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+/g)) found.add(m[0]);
  for (const m of bare.matchAll(/([A-Za-z_$][\w$]*)\s*\(/g)) if (!KEYWORDS.has(m[1]!)) found.add(`${m[1]}(`);
  for (const m of bare.matchAll(/\b[a-z][a-z0-9]*[A-Z][\w$]*|\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|\b[A-Z][a-z0-9]+[A-Z]\w*/g))
    found.add(m[0]);
  // A call already names its function: report `natsConnection(` once, not `natsConnection` beside it.
  return [...found].filter((g) => !found.has(`${g}(`));
}

const KEYWORDS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'await', 'typeof', 'super']);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a TODO's text quotes a giveaway: a literal with its quotes or backticks, or its content if it is not plain words. */
function quotes(todo: string, giveaway: string): boolean {
  if (giveaway.startsWith("'")) {
    const content = giveaway.slice(1, -1);
    if ([`'${content}'`, `"${content}"`, `\`${content}\``].some((q) => todo.includes(q))) return true;
    // Unquoted, only a literal that is not plain words, standing on its own (`/health`, not src/health).
    return !/^[a-z][a-z -]*$/.test(content) && new RegExp(`(^|[^\\w])${escape(content)}(?![\\w])`).test(todo);
  }
  const escaped = escape(giveaway);
  return new RegExp(`(^|[^\\w$.])${escaped}${giveaway.endsWith('(') ? '' : '(?![\\w$])'}`).test(todo);
}

/** The names a step's TODOs may give (steps/<slug>/todo-allow.json: name -> why it must be named). */
export function allowedNames(step: Step, repo = REPO): Record<string, string> {
  const file = join(repo, 'steps', step.slug, 'todo-allow.json');
  return existsSync(file) ? (JSON.parse(read(file)) as Record<string, string>) : {};
}

/** A TODO that quotes what the solution's edit writes, and the starter does not already have. */
export function todoLeaks(step: Step, repo = REPO): string[] {
  const allowed = allowedNames(step, repo);
  const problems: string[] = [];
  for (const file of step.files) {
    const starterPath = join(starterDir(step, repo), file);
    if (!existsSync(starterPath) || !existsSync(join(solutionDir(step, repo), file))) continue;
    const { starter, written: writes } = stepEdit(step, file, repo);
    const given = new Set(giveaways(starter.text.join('\n')));
    const written = new Set(writes.flatMap((lines) => giveaways(lines.join('\n'))).filter((g) => !given.has(g)));
    for (const todo of todoTexts(read(starterPath))) {
      const quoted = [...written].filter(
        (g) => !(g in allowed) && !(g.replace(/\($/, '') in allowed) && quotes(todo.text, g),
      );
      const leaked = quoted.filter((g) => !quoted.includes(`${g}(`));
      if (leaked.length)
        problems.push(
          `starter ${file}:${todo.line}: the TODO gives the answer away (${leaked.join(', ')} is what the solution writes): ` +
            `say what must become true instead, or list the name in steps/${step.slug}/todo-allow.json with why it must be given`,
        );
    }
  }
  return problems;
}

/** The code lines a learner writes in each of a step's files (added or changed between the step's start and end). */
export function writtenCode(step: Step, repo = REPO): { file: string; lines: string[] }[] {
  return step.files
    .filter((file) => existsSync(join(solutionDir(step, repo), file)))
    .map((file) => ({ file, lines: stepEdit(step, file, repo).written.flat() }));
}

/** How many code lines a learner writes in each of a step's files. */
export function learnerLines(step: Step, repo = REPO): { file: string; lines: number }[] {
  return writtenCode(step, repo).map(({ file, lines }) => ({ file, lines: lines.length }));
}

/**
 * `npm run new-step -- <name> "<title>" --file <path> [--file <path>...] [--base N] [--bonus]`:
 * a maintainer's scaffold for the next step (see CONTRIBUTING.md). It writes
 * everything the step model needs, in the shapes verify checks:
 *
 * - its entry in steps/steps.json (summary and hint to be written);
 * - for each file the learner edits: the starter copy (the file as the
 *   step's start has it, with a `// TODO:` line) and the solution copy, and
 *   the baseline copy when no step changed that file before;
 * - steps/<slug>/checks/live.check.ts, on the grader API, failing until
 *   someone writes the real checks (a scaffold never passes as a step);
 * - its guide page (title and heading from the manifest, the solution block)
 *   and its row in the README's steps table.
 *
 * Then: write the change in the solution, the TODO in the starter, the
 * checks, the page; `npm run verify -- steps <id>` says what is missing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pageTitle } from '../../../workshop-docs/.vitepress/guide';
import { readmeStepRows, readmeTitle } from './readme';
import {
  baselineDir,
  checksDir,
  endOverlays,
  getStep,
  loadSteps,
  REPO,
  solutionDir,
  starterDir,
  type Step,
} from './manifest';

export interface NewStepOptions {
  name: string;
  title: string;
  files: string[];
  base?: number;
  bonus?: boolean;
}

const pageOf = (step: Step, repo: string) => join(repo, 'workshop-docs', 'steps', `${step.slug}.md`);

/** The file as the start of a step has it: the last of the base chain's overlays that holds it. */
async function atStart(base: Step | undefined, file: string, repo: string): Promise<string> {
  const overlays = base ? endOverlays(base, repo) : [baselineDir(repo)];
  for (const dir of [...overlays].reverse()) if (existsSync(join(dir, file))) return readFile(join(dir, file), 'utf8');
  if (existsSync(join(repo, file))) return readFile(join(repo, file), 'utf8');
  throw new Error(`${file} is in no step and not in the repository: create it first (an empty file will do)`);
}

async function put(path: string, text: string): Promise<void> {
  if (existsSync(path)) throw new Error(`${path} exists already: the scaffold never overwrites a file`);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

const CHECK_TEMPLATE = (step: Step) => `/**
 * Step ${step.id}, live: TODO: what the system must do once the step is solved,
 * and how this check sees it.
 */
import { check, GradeError, plannedTopology, startSystem, type LiveSystem } from '../../../workshop/src/grading';

let system: LiveSystem;

beforeAll(async () => {
  system = await startSystem(await plannedTopology({}), 'TODO: what step ${step.id} expects of the services.');
});

afterAll(() => system?.stop());

test('TODO: what the learner must make true', async () => {
  check(system.gatewayUrl, 'The system has no gateway.');
  // A scaffold's check never passes: write the real one (steps/${step.slug}/checks/live.check.ts).
  throw new GradeError('Step ${step.id} has no checks yet.');
});
`;

const PAGE_TEMPLATE = (step: Step) => `---
step: ${step.id}
title: '${pageTitle(step).replace(/'/g, "''")}'
---

# ${pageTitle(step)}

## Goal

TODO: what the learner makes true, and how the graders see it.

## The concept

TODO

## What to edit

<StepFiles />

## How to check

\`\`\`sh
npm test -- ${step.id}
\`\`\`

## The solution

::: details Show the solution of step ${step.id}

${step.files.map((file) => `<<< @/../solutions/${step.slug}/${file}`).join('\n\n')}

:::
`;

/** Adds the step's row after the last row of the README's steps table. */
async function addReadmeRow(step: Step, repo: string): Promise<void> {
  const file = join(repo, 'README.md');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const rows = readmeStepRows(lines.join('\n')).length;
  const header = lines.findIndex((line) => /^\|\s*step\s*\|/.test(line));
  if (header < 0) throw new Error('README.md has no steps table (a table whose header starts with "| step |")');
  const width = lines[header].split('|').length - 2;
  const cells = [String(step.id), readmeTitle(step), ...Array.from({ length: width - 2 }, () => 'TODO')];
  lines.splice(header + 2 + rows, 0, `| ${cells.join(' | ')} |`);
  await writeFile(file, lines.join('\n'));
}

export async function newStep(options: NewStepOptions, repo = REPO): Promise<Step> {
  const steps = loadSteps(repo);
  const last = steps[steps.length - 1];
  const id = steps.length + 1;
  if (!/^[a-z][a-z-]*$/.test(options.name))
    throw new Error(`the name is lower-case words with dashes, not "${options.name}"`);
  if (options.files.length === 0) throw new Error('say which file(s) the learner edits: --file <path>');
  if (last?.bonus && options.base === undefined)
    throw new Error(`step ${last.id} is a bonus step: say which step ${id} builds on with --base <id>`);
  const base = options.base !== undefined ? getStep(options.base, repo) : last;
  const step: Step = {
    id,
    slug: `${String(id).padStart(2, '0')}-${options.name}`,
    title: options.title,
    summary: 'TODO: one sentence: what the learner does, and why.',
    files: options.files,
    hints: ['TODO: a first hint, as a question?'],
    checks: ['live'],
    ...(options.bonus ? { bonus: true } : {}),
    ...(options.base !== undefined ? { base: options.base } : {}),
  };

  for (const file of step.files) {
    const text = await atStart(base, file, repo);
    const comment = file.endsWith('.ts') ? '//' : '#';
    await put(join(starterDir(step, repo), file), `${comment} TODO: (step ${id}) what to change here\n${text}`);
    await put(join(solutionDir(step, repo), file), text);
    // The baseline holds every file that any step changes, as a fresh clone has it.
    if (!existsSync(join(baselineDir(repo), file))) {
      await put(join(baselineDir(repo), file), await readFile(join(repo, file), 'utf8'));
    }
  }
  await put(join(checksDir(step, repo), 'live.check.ts'), CHECK_TEMPLATE(step));
  await put(pageOf(step, repo), PAGE_TEMPLATE(step));
  await addReadmeRow(step, repo);

  const manifestFile = join(repo, 'steps', 'steps.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as { steps: Step[] };
  manifest.steps.push(step);
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  loadSteps(repo); // the manifest still holds together
  return step;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { file: { type: 'string', multiple: true }, base: { type: 'string' }, bonus: { type: 'boolean' } },
  });
  const [name, title] = positionals;
  if (!name || !title) {
    console.error('usage: npm run new-step -- <name> "<title>" --file <path> [--file <path>...] [--base N] [--bonus]');
    process.exitCode = 2;
    return;
  }
  const base = values.base === undefined ? undefined : Number(values.base);
  if (base !== undefined && !Number.isInteger(base)) throw new Error(`--base takes a step id, not "${values.base}"`);
  const step = await newStep({ name, title, files: values.file ?? [], base, bonus: values.bonus });
  console.log(`Step ${step.id} (${step.slug}) laid out:
  steps/steps.json             its entry: write its summary and hints
  steps/${step.slug}/starter/  the files at the step's start, with a // TODO: line: say what to do there
  solutions/${step.slug}/      the same files: make the change the step teaches
  steps/${step.slug}/checks/   live.check.ts fails until you write the checks (add infra.check.ts and "infra" if needed)
  workshop-docs/steps/${step.slug}.md and README.md's table: write the page and the row
Then: npm run format && npm run verify -- steps ${step.id}`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`new-step: ${error.message}`);
    process.exitCode = 1;
  });
}

/**
 * Runs a step's graders (jest, project "grading") against a tree: the infra
 * checks first, then the live checks, each file in its own jest run so a
 * learner sees the fast feedback first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROGRESS_ENV } from '../cli/progress';
import { graderEcho } from '../cli/grader-echo';
import { childColourEnv } from '../cli/style';
import { checksDir, REPO, type Step } from '../steps/manifest';
import type { Target } from './context';

export interface CheckRun {
  kind: string;
  passed: boolean;
  seconds: number;
  output: string;
  /** The checks (jest tests) of the run that passed and failed. */
  tests: { passed: number; failed: number };
}

export interface GradeOptions {
  tree?: string;
  target?: Target;
  /** Print the graders' output as it comes (the CLI) or only collect it (verify). */
  echo?: boolean;
  /** Stop after the first kind that fails (default true: live checks wait for the infra ones). */
  stopOnFailure?: boolean;
  /** More environment for the graders (verify lends a MailDev: WORKSHOP_MAILDEV). */
  env?: Record<string, string>;
}

interface JestRun {
  code: number;
  output: string;
  tests: CheckRun['tests'];
}

async function runJest(file: string, env: NodeJS.ProcessEnv, echo: boolean): Promise<JestRun> {
  const jestBin = require.resolve('jest/bin/jest');
  const scratch = await mkdtemp(join(tmpdir(), 'workshop-jest-'));
  const results = join(scratch, 'results.json');
  const args = [
    jestBin,
    file,
    '--selectProjects',
    'grading',
    '--runInBand',
    '--forceExit',
    `--reporters=${join(__dirname, 'reporter.cjs')}`,
    '--json',
    `--outputFile=${results}`,
  ];
  // Shown to a learner: the checks' progress lines, and colour when this terminal has it.
  const childEnv = { ...process.env, ...env, ...(echo ? { [PROGRESS_ENV]: '1' } : {}) };
  const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: echo ? childColourEnv(childEnv) : childEnv });
    let output = '';
    const shown = echo ? graderEcho() : undefined;
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      shown?.take(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (exitCode) => {
      shown?.end();
      resolve({ code: exitCode ?? 1, output });
    });
  });
  const summary = await readFile(results, 'utf8')
    .then((text) => JSON.parse(text) as { numPassedTests: number; numFailedTests: number })
    .catch(() => ({ numPassedTests: 0, numFailedTests: 0 }));
  await rm(scratch, { recursive: true, force: true });
  // A check file that did not run at all (it does not compile, a hook threw before any test) fails as one.
  const failed = summary.numFailedTests || (code !== 0 ? 1 : 0);
  return { code, output, tests: { passed: summary.numPassedTests, failed } };
}

export async function runChecks(step: Step, options: GradeOptions = {}): Promise<CheckRun[]> {
  const { tree = REPO, target = 'local', echo = true, stopOnFailure = true, env = {} } = options;
  const runs: CheckRun[] = [];
  for (const kind of step.checks) {
    const file = join(checksDir(step), `${kind}.check.ts`);
    if (!existsSync(file)) throw new Error(`step ${step.id} lists "${kind}" checks but ${file} is missing`);
    if (echo)
      console.log(
        `\n${kind === 'infra' ? 'Infra checks (your Pulumi program, under mocks)' : 'Live checks (the running system)'}:`,
      );
    const started = Date.now();
    const { code, output, tests } = await runJest(file, { ...env, WORKSHOP_TREE: tree, WORKSHOP_TARGET: target }, echo);
    runs.push({ kind, passed: code === 0, seconds: (Date.now() - started) / 1000, output, tests });
    if (code !== 0 && stopOnFailure) break;
  }
  return runs;
}

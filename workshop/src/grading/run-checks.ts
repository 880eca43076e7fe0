/**
 * Runs a step's graders (jest, project "grading") against a tree: the infra
 * checks first, then the live checks, each file in its own jest run so a
 * learner sees the fast feedback first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checksDir, REPO, type Step } from '../steps/manifest';
import type { Target } from './context';

export interface CheckRun {
  kind: string;
  passed: boolean;
  seconds: number;
  output: string;
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

function runJest(file: string, env: NodeJS.ProcessEnv, echo: boolean): Promise<{ code: number; output: string }> {
  const jestBin = require.resolve('jest/bin/jest');
  const args = [
    jestBin,
    file,
    '--selectProjects',
    'grading',
    '--runInBand',
    '--forceExit',
    `--reporters=${join(__dirname, 'reporter.cjs')}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: REPO, env: { ...process.env, ...env } });
    let output = '';
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      // jest's own banners ("Running one project", "Force exiting") are noise for a learner.
      if (echo) {
        for (const line of text.split('\n')) {
          if (line && !/^(Running one project|Force exiting Jest|Determining test suites)/.test(line))
            console.log(line);
        }
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
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
    const { code, output } = await runJest(file, { ...env, WORKSHOP_TREE: tree, WORKSHOP_TARGET: target }, echo);
    runs.push({ kind, passed: code === 0, seconds: (Date.now() - started) / 1000, output });
    if (code !== 0 && stopOnFailure) break;
  }
  return runs;
}

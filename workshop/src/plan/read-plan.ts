/**
 * readPlan(infraDir): what a Pulumi program declares, read under Pulumi's
 * mocks in a child process (`node --import tsx evaluate.ts`).
 *
 * Why a child process: the program is the learner's code, and it may throw,
 * hang or leave Pulumi's global runtime state half set. A fresh process per
 * read isolates all of that, loads the program's own copy of @pulumi/pulumi
 * from wherever the tree is (the graders use copies under .workshop/trees/),
 * and can be killed on a timeout. It costs about a second of start-up.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PlanRequest } from './evaluate';
import { identify } from './roles';
import type { EvaluationResult, Plan } from './types';

/** The program could not be read: the message is one paragraph that says what to fix. */
export class PlanError extends Error {
  override name = 'PlanError';
}

export interface ReadPlanOptions {
  /** The stack whose Pulumi.<stack>.yaml is read (default: dev). */
  stack?: string;
  /** Config values that win over Pulumi.yaml and the stack file, e.g. { mailReplicas: 2 }. */
  config?: Record<string, string | number | boolean>;
  timeoutMs?: number;
}

function tsxLoader(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

function shown(infraDir: string): string {
  const rel = relative(process.cwd(), infraDir);
  return rel && !rel.startsWith('..') ? `${rel}/` : infraDir;
}

export async function readPlan(infraDir: string, options: ReadPlanOptions = {}): Promise<Plan> {
  const dir = resolve(infraDir);
  const where = shown(dir);
  if (!existsSync(join(dir, 'Pulumi.yaml'))) {
    throw new PlanError(`There is no Pulumi project in ${where}: Pulumi.yaml is missing.`);
  }
  const request: PlanRequest = { stack: options.stack ?? 'dev', config: options.config ?? {} };
  const timeoutMs = options.timeoutMs ?? 30_000;
  const scratch = await mkdtemp(join(tmpdir(), 'workshop-plan-'));
  const outFile = join(scratch, 'plan.json');
  const env: NodeJS.ProcessEnv = { ...process.env, PLAN_REQUEST: JSON.stringify(request) };
  delete env.PULUMI_CONFIG;
  delete env.PULUMI_CONFIG_SECRET_KEYS;

  try {
    const child = spawn(process.execPath, ['--import', tsxLoader(), join(__dirname, 'evaluate.ts'), dir, outFile], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const code = await new Promise<number | 'timeout'>((done, fail) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        done('timeout');
      }, timeoutMs);
      child.once('error', fail);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        done(exitCode ?? 1);
      });
    });
    if (code === 'timeout') {
      throw new PlanError(
        `Reading the Pulumi program in ${where} under mocks did not finish within ${timeoutMs / 1000} s: ` +
          'does it wait on something that never resolves (a promise, an apply that never returns)?',
      );
    }
    if (!existsSync(outFile)) {
      const tail = output.trim().split('\n').slice(-5).join(' ');
      throw new PlanError(
        `Reading the Pulumi program in ${where} under mocks stopped (exit code ${code}) before it finished: ${tail.replace(/\s+/g, ' ')}`,
      );
    }
    const result = JSON.parse(await readFile(outFile, 'utf8')) as EvaluationResult;
    if (!result.ok) {
      throw new PlanError(
        `Reading the Pulumi program in ${where} under mocks failed: ${result.error} ` +
          'Fix it there (`npx tsc --noEmit` shows type errors), then run the check again.',
      );
    }
    return { ...result.plan, containers: result.plan.containers.map(identify) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

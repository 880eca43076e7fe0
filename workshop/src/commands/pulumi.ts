/**
 * `workshop up` / `workshop down` (and `workshop pulumi ...`): the Pulumi CLI
 * run in infra/ with a local file backend inside the repository and a
 * default passphrase, so no account, login or prompt is needed.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, installHint } from '../runtime/tools';
import { DockerEngine, dockerSockets } from '../runtime/docker-engine';

export const DEFAULT_STACK = 'dev';
/** Not a secret: the stack holds no secrets; Pulumi only insists on a passphrase for its file backend. */
export const DEFAULT_PASSPHRASE = 'workshop';

export interface InfraCommandOptions {
  /** The repository (default: this one). */
  repo?: string;
  stack?: string;
  /** The environment to run in (default: process.env); PATH and HOME decide where the Pulumi CLI is found. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Pulumi's own output (default: inherited, the learner sees it live). */
  stdio?: StdioOptions;
}

const REPO = join(__dirname, '..', '..', '..');

/** The Pulumi CLI: on PATH, or where its installer puts it (~/.pulumi/bin) before the shell is reloaded. */
export function findPulumi(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onPath = findOnPath('pulumi', env.PATH ?? '');
  if (onPath) return onPath;
  return env.HOME ? findOnPath('pulumi', join(env.HOME, '.pulumi', 'bin')) : undefined;
}

export function backendDir(repo: string): string {
  return join(repo, '.workshop', 'pulumi');
}

/** The environment Pulumi runs in: the local file backend, a default passphrase, no update check. */
export function pulumiEnv(repo: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...env,
    PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL ?? `file://${backendDir(repo)}`,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
  };
  // The learner's own passphrase (or passphrase file) wins.
  if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE)
    out.PULUMI_CONFIG_PASSPHRASE = DEFAULT_PASSPHRASE;
  return out;
}

function runPulumi(pulumi: string, args: string[], repo: string, options: InfraCommandOptions): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(pulumi, args, {
      cwd: join(repo, 'infra'),
      env: pulumiEnv(repo, options.env ?? process.env),
      stdio: options.stdio ?? 'inherit',
    });
    child.once('error', (error) => {
      (options.log ?? console.log)(`pulumi ${args[0]}: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Pulumi found, or one line saying it is missing and how to install it. */
function pulumiOrExplain(command: string, options: InfraCommandOptions): string | undefined {
  const pulumi = findPulumi(options.env ?? process.env);
  if (!pulumi) {
    (options.log ?? console.log)(
      `${command} runs the Pulumi CLI, which is not on PATH (npm test and workshop local do without it): ${installHint('pulumi')}`,
    );
  }
  return pulumi;
}

/**
 * The engine's socket, or undefined after one line saying none answers. When
 * only Docker Desktop's per-user socket answers, Pulumi is told (DOCKER_HOST).
 */
async function dockerOrExplain(
  command: string,
  options: InfraCommandOptions,
): Promise<InfraCommandOptions | undefined> {
  const env = options.env ?? process.env;
  const sockets = dockerSockets(env);
  for (const socket of sockets) {
    if (!(await new DockerEngine(socket).probe()).ok) continue;
    if (env.DOCKER_HOST || socket === sockets[0]) return options;
    return { ...options, env: { ...env, DOCKER_HOST: `unix://${socket}` } };
  }
  (options.log ?? console.log)(
    `${command} needs a running Docker engine, and none answers on ${sockets.join(' or ')}: start Docker (Docker Desktop, or \`sudo systemctl start docker\`), then run it again`,
  );
  return undefined;
}

/** `pulumi <args>` in infra/ with the workshop's backend, for config and outputs (`workshop pulumi config set mailReplicas 2`). */
export async function pulumiPassthrough(args: string[], options: InfraCommandOptions = {}): Promise<number> {
  const repo = options.repo ?? REPO;
  const pulumi = pulumiOrExplain(`pulumi ${args[0] ?? ''}`.trim(), options);
  if (!pulumi) return 1;
  mkdirSync(backendDir(repo), { recursive: true });
  const stack = options.stack ?? DEFAULT_STACK;
  const select = await runPulumi(pulumi, ['stack', 'select', stack, '--create', '--non-interactive'], repo, {
    ...options,
    stdio: 'ignore',
  });
  if (select !== 0) return select;
  return runPulumi(pulumi, args, repo, options);
}

/** `pulumi up` of the stack (default dev), no login or prompt. */
export async function up(options: InfraCommandOptions = {}): Promise<number> {
  const repo = options.repo ?? REPO;
  const pulumi = pulumiOrExplain('workshop up', options);
  if (!pulumi) return 1;
  const withDocker = await dockerOrExplain('workshop up', options);
  if (!withDocker) return 1;
  mkdirSync(backendDir(repo), { recursive: true });
  const stack = options.stack ?? DEFAULT_STACK;
  const select = await runPulumi(pulumi, ['stack', 'select', stack, '--create', '--non-interactive'], repo, withDocker);
  if (select !== 0) return select;
  return runPulumi(pulumi, ['up', '--yes', '--non-interactive', '--stack', stack], repo, withDocker);
}

/** `pulumi destroy` of the stack: every container, image and the network go. */
export async function down(options: InfraCommandOptions = {}): Promise<number> {
  const repo = options.repo ?? REPO;
  const log = options.log ?? console.log;
  const pulumi = pulumiOrExplain('workshop down', options);
  if (!pulumi) return 1;
  if (!existsSync(backendDir(repo))) {
    log('workshop down: nothing to destroy (no stack was deployed from this repository)');
    return 0;
  }
  const withDocker = await dockerOrExplain('workshop down', options);
  if (!withDocker) return 1;
  const stack = options.stack ?? DEFAULT_STACK;
  return runPulumi(pulumi, ['destroy', '--yes', '--non-interactive', '--stack', stack], repo, withDocker);
}

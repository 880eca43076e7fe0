/**
 * `workshop up` / `workshop down` (and `workshop pulumi ...`): the Pulumi CLI
 * run in infra/, as a learner would run it there by hand. infra/Pulumi.yaml
 * names the backend (a file backend in .workshop/pulumi), so both act on
 * the same stack; this only adds the workshop's public passphrase when the
 * learner gives none, and checks for the CLI and a Docker engine first.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath, installHint } from '../runtime/tools';
import { DockerEngine } from '../runtime/docker-engine';
import { dockerEndpoints, type DockerEndpoint } from '../runtime/docker-endpoint';

export const DEFAULT_STACK = 'dev';
/**
 * Not a secret: infra/Pulumi.dev.yaml's encryptionsalt was made with it, and
 * the stack holds nothing worth hiding. By hand: `export PULUMI_CONFIG_PASSPHRASE=workshop`.
 */
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
  /** The active docker context's endpoint (default: asks the docker CLI); tests give their own. */
  dockerContext?: (env: NodeJS.ProcessEnv) => DockerEndpoint | undefined;
}

const REPO = join(__dirname, '..', '..', '..');

/** The Pulumi CLI: on PATH, or where its installer puts it (~/.pulumi/bin) before the shell is reloaded. */
export function findPulumi(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const onPath = findOnPath('pulumi', env.PATH ?? '');
  if (onPath) return onPath;
  return env.HOME ? findOnPath('pulumi', join(env.HOME, '.pulumi', 'bin')) : undefined;
}

/** Where infra/Pulumi.yaml's `backend.url` (file://../.workshop/pulumi, relative to infra/) keeps the state. */
export function backendDir(repo: string): string {
  return join(repo, '.workshop', 'pulumi');
}

/** The environment Pulumi runs in: the workshop's passphrase unless the learner gives one, no update check. */
export function pulumiEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PULUMI_SKIP_UPDATE_CHECK: 'true' };
  // The learner's own passphrase (or passphrase file) wins.
  if (!env.PULUMI_CONFIG_PASSPHRASE && !env.PULUMI_CONFIG_PASSPHRASE_FILE)
    out.PULUMI_CONFIG_PASSPHRASE = DEFAULT_PASSPHRASE;
  return out;
}

function runPulumi(pulumi: string, args: string[], repo: string, options: InfraCommandOptions): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(pulumi, args, {
      cwd: join(repo, 'infra'),
      env: pulumiEnv(options.env ?? process.env),
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
 * The options to run Pulumi with once a Docker engine answers, or undefined
 * after one line saying none does. The endpoint is DOCKER_HOST's, else the
 * active docker context's (handed to Pulumi as DOCKER_HOST), else the usual
 * sockets. A tcp:// or ssh:// endpoint is not probed: Pulumi's provider
 * connects to it itself.
 */
async function dockerOrExplain(
  command: string,
  options: InfraCommandOptions,
): Promise<InfraCommandOptions | undefined> {
  const env = options.env ?? process.env;
  const endpoints = dockerEndpoints(env, options.dockerContext);
  for (const e of endpoints) {
    if (e.socket && !(await new DockerEngine(e.socket).probe()).ok) continue;
    // The provider reads DOCKER_HOST, else /var/run/docker.sock: tell it where the engine is when that differs.
    const tell = !env.DOCKER_HOST && e.host !== 'unix:///var/run/docker.sock';
    return tell ? { ...options, env: { ...env, DOCKER_HOST: e.host } } : options;
  }
  (options.log ?? console.log)(
    `${command} needs a running Docker engine, and none answers on ${endpoints.map((e) => `${e.socket} (${e.source})`).join(' or ')}: start Docker (Docker Desktop, Colima, or \`sudo systemctl start docker\`), then run it again`,
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
  // --refresh: a container removed or killed by hand is seen as gone, and made again.
  return runPulumi(pulumi, ['up', '--yes', '--non-interactive', '--refresh', '--stack', stack], repo, withDocker);
}

/** Runs pulumi and returns its stdout (for `stack export`), or undefined when it fails. */
function capturePulumi(
  pulumi: string,
  args: string[],
  repo: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(pulumi, args, {
      cwd: join(repo, 'infra'),
      env: pulumiEnv(env),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', () => resolve(undefined));
    child.once('exit', (code) => resolve(code === 0 ? out : undefined));
  });
}

/** The names of the images a stack built, from `pulumi stack export` (its checkpoint). */
export function builtImages(exported: string | undefined): string[] {
  try {
    const state = JSON.parse(exported ?? '{}') as {
      deployment?: { resources?: { type?: string; outputs?: { imageName?: unknown } }[] };
    };
    return (state.deployment?.resources ?? [])
      .filter((r) => r.type === 'docker:index/image:Image' && typeof r.outputs?.imageName === 'string')
      .map((r) => r.outputs!.imageName as string);
  } catch {
    return [];
  }
}

/**
 * `pulumi destroy` of the stack: every container and the network go. The
 * service images do not (the Docker provider's Image delete does nothing:
 * pulumi-docker provider/provider.go, Delete returns at once), so they are
 * removed here afterwards, by the names the stack's state gives them.
 */
export async function down(options: InfraCommandOptions = {}): Promise<number> {
  const repo = options.repo ?? REPO;
  const log = options.log ?? console.log;
  const pulumi = pulumiOrExplain('workshop down', options);
  if (!pulumi) return 1;
  // The file backend writes .pulumi/ inside its folder at the first `stack select --create`.
  if (!existsSync(join(backendDir(repo), '.pulumi'))) {
    log('workshop down: nothing to destroy (no stack was deployed from this repository)');
    return 0;
  }
  const withDocker = await dockerOrExplain('workshop down', options);
  if (!withDocker) return 1;
  const env = withDocker.env ?? process.env;
  const stack = options.stack ?? DEFAULT_STACK;
  const exported = await capturePulumi(pulumi, ['stack', 'export', '--stack', stack], repo, env);
  const code = await runPulumi(pulumi, ['destroy', '--yes', '--non-interactive', '--stack', stack], repo, withDocker);
  if (code !== 0) return code;
  const images = builtImages(exported);
  if (!images.length) return 0;
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) {
    log(`workshop down: the service images stay; remove them with \`docker image rm ${images.join(' ')}\``);
    return 0;
  }
  const engine = new DockerEngine(host.slice('unix://'.length));
  const removed: string[] = [];
  for (const image of images) {
    const result = await engine.removeImage(image).catch(() => 'failed' as const);
    if (result === 'removed') removed.push(image);
    else if (result !== 'absent') log(`workshop down: ${image} stays (${result}): \`docker image rm ${image}\``);
  }
  if (removed.length) log(`workshop down: removed the images ${removed.join(', ')}`);
  return 0;
}

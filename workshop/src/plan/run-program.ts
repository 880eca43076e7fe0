/**
 * Runs a Pulumi program the way `pulumi up` does, without the CLI: the Node
 * language host's command line (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs,
 * constructArguments and RunRequest handling):
 *
 *   node <runtime.options.nodeargs, shell-split> <sdk>/cmd/run --monitor <addr>
 *        --project <name> --stack <stack> --pwd <program dir> --parallel 1 <entry point>
 *
 * with PULUMI_CONFIG ({"<ns>:config:<key>": value}) and
 * PULUMI_NODEJS_TYPESCRIPT=true only when runtime.options.typescript is true.
 * `main` in Pulumi.yaml: a file is the entry point (relative to the project
 * folder); a folder is the program directory with entry point "."; none: ".".
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { configOf } from './evaluate';
import { startResourceMonitor, type RegisteredResource } from './resource-monitor';

export interface ProgramRun {
  code: number;
  /** The program's stdout and stderr (the last 8 KB). */
  output: string;
  /** The node command line, for messages. */
  argv: string[];
  resources: RegisteredResource[];
  stackOutputs: Record<string, unknown>;
}

type Dict = Record<string, unknown>;

/** Splits nodeargs as a POSIX shell would for plain words and quotes (what shlex.Split does for these). */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)/g;
  let current = '';
  let last = -1;
  for (const m of text.matchAll(re)) {
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3].replace(/\\(.)/g, '$1'));
    if (last === m.index) current += piece;
    else {
      if (last !== -1) words.push(current);
      current = piece;
    }
    last = m.index + m[0].length;
  }
  if (last !== -1) words.push(current);
  return words;
}

export async function runProgram(
  infraDir: string,
  options: { stack?: string; config?: Record<string, string | number | boolean>; timeoutMs?: number } = {},
): Promise<ProgramRun> {
  const dir = resolve(infraDir);
  const stack = options.stack ?? 'dev';
  const programRequire = createRequire(join(dir, 'index.ts'));
  const sdkEntry = programRequire.resolve('@pulumi/pulumi');
  const loadYaml = (createRequire(sdkEntry)('js-yaml') as { load(t: string): unknown }).load;
  const project = (loadYaml(readFileSync(join(dir, 'Pulumi.yaml'), 'utf8')) ?? {}) as Dict;
  const projectName = String(project.name);
  const runtime = (project.runtime ?? {}) as Dict;
  const runtimeOptions = (typeof runtime === 'object' ? (runtime.options ?? {}) : {}) as Dict;

  let programDir = dir;
  let entry = '.';
  if (typeof project.main === 'string') {
    const main = resolve(dir, project.main);
    if (existsSync(main) && statSync(main).isDirectory()) programDir = main;
    else entry = project.main;
  }

  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(
    configOf(dir, projectName, project, { stack, config: options.config ?? {} }, loadYaml),
  )) {
    const [ns, ...rest] = key.split(':');
    config[`${ns}:config:${rest.join(':')}`] = value;
  }

  const monitor = await startResourceMonitor(dir, projectName, stack);
  const runPath = join(sdkEntry, '..', 'cmd', 'run');
  const argv = [
    ...shellSplit(typeof runtimeOptions.nodeargs === 'string' ? runtimeOptions.nodeargs : ''),
    runPath,
    '--monitor',
    monitor.address,
    '--project',
    projectName,
    '--stack',
    stack,
    '--pwd',
    programDir,
    '--query-mode',
    'false',
    '--parallel',
    '1',
    entry,
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: '[]',
  };
  for (const key of Object.keys(env)) if (key.startsWith('PULUMI_NODEJS_')) delete env[key];
  if (runtimeOptions.typescript === true) env.PULUMI_NODEJS_TYPESCRIPT = 'true';

  try {
    const child = spawn(process.execPath, argv, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8192));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const code = await new Promise<number>((done, fail) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
      child.once('error', fail);
      child.once('exit', (exitCode, signal) => {
        clearTimeout(timer);
        done(exitCode ?? (signal ? 128 : 1));
      });
    });
    return { code, output, argv, resources: [...monitor.resources], stackOutputs: monitor.stackOutputs };
  } finally {
    await monitor.close();
  }
}

/**
 * `workshop doctor`: is this machine ready for the workshop? Node, the
 * Docker engine, the Pulumi CLI, the brokers of the local runtime, and the
 * host ports the stack publishes; each with the fix when it is not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BROKER_KINDS, BROKERS } from '../runtime/brokers';
import { findOnPath, installHint } from '../runtime/tools';
import { DockerEngine, dockerSockets } from '../runtime/docker-engine';
import { DEFAULT_STACK, findPulumi, type InfraCommandOptions } from './pulumi';

export interface DoctorItem {
  name: string;
  ok: boolean;
  /** What was found (a version, a path), or what is wrong. */
  detail: string;
  /** How to fix it, when not ok. */
  fix?: string;
  /** Needed for `workshop up` (the Docker stack) or for the local runtime (`npm test`, `workshop local`). */
  for: 'all' | 'up' | 'local';
}

const REPO = join(__dirname, '..', '..', '..');
const MIN_NODE = 22;

function versionOf(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  return (result.stdout || result.stderr || '').trim().split('\n')[0] ?? '';
}

/** The host ports the stack publishes: Pulumi.yaml's defaults, overridden by Pulumi.<stack>.yaml. */
export function stackPorts(repo: string, stack: string): Record<string, number> {
  const infra = join(repo, 'infra');
  const ports: Record<string, number> = {};
  let load: (text: string) => unknown;
  try {
    // Pulumi's own YAML parser, from the program's folder (else from the workshop's).
    let pulumiEntry: string;
    try {
      pulumiEntry = createRequire(join(infra, 'index.ts')).resolve('@pulumi/pulumi');
    } catch {
      pulumiEntry = require.resolve('@pulumi/pulumi');
    }
    load = (createRequire(pulumiEntry)('js-yaml') as { load(text: string): unknown }).load;
  } catch {
    return ports;
  }
  const read = (file: string) =>
    existsSync(file) ? ((load(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>) : {};
  const project = read(join(infra, 'Pulumi.yaml'));
  const name = typeof project.name === 'string' ? project.name : 'workshop';
  for (const [key, spec] of Object.entries((project.config ?? {}) as Record<string, { default?: unknown }>)) {
    if (/Port$/.test(key) && spec && typeof spec === 'object' && spec.default !== undefined)
      ports[key] = Number(spec.default);
  }
  const stackConfig = (read(join(infra, `Pulumi.${stack}.yaml`)).config ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(stackConfig)) {
    const short = key.startsWith(`${name}:`) ? key.slice(name.length + 1) : key;
    if (/Port$/.test(short)) ports[short] = Number(value);
  }
  return ports;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function diagnose(options: InfraCommandOptions = {}): Promise<DoctorItem[]> {
  const env = options.env ?? process.env;
  const repo = options.repo ?? REPO;
  const items: DoctorItem[] = [];

  const major = Number(process.versions.node.split('.')[0]);
  items.push({
    name: 'Node.js',
    ok: major >= MIN_NODE,
    detail: process.version,
    fix: `install Node ${MIN_NODE} or newer (24 LTS recommended): https://nodejs.org or \`nvm install 24\``,
    for: 'all',
  });

  const sockets = dockerSockets(env);
  let docker: DoctorItem | undefined;
  const reasons: string[] = [];
  for (const socket of sockets) {
    const engine = new DockerEngine(socket);
    const probe = await engine.probe();
    if (probe.ok) {
      const version = await engine.version().catch(() => undefined);
      docker = {
        name: 'Docker engine',
        ok: true,
        detail: `${version?.Version ?? 'answering'} on ${socket}`,
        for: 'up',
      };
      break;
    }
    reasons.push(`${socket}: ${probe.error}`);
  }
  const denied = reasons.some((r) => r.endsWith('EACCES'));
  items.push(
    docker ?? {
      name: 'Docker engine',
      ok: false,
      detail: `not reachable (${reasons.join('; ')})`,
      fix: denied
        ? 'let your user use Docker: `sudo usermod -aG docker $USER`, then log out and in again'
        : findOnPath('docker', env.PATH ?? '')
          ? 'start Docker: open Docker Desktop, or `sudo systemctl start docker`'
          : installHint('docker'),
      for: 'up',
    },
  );

  const pulumi = findPulumi(env);
  items.push({
    name: 'Pulumi CLI',
    ok: !!pulumi,
    detail: pulumi ? `${versionOf(pulumi, ['version'])} (${pulumi})` : 'not installed',
    fix: installHint('pulumi'),
    for: 'up',
  });
  if (pulumi && !findOnPath('pulumi', env.PATH ?? '')) {
    items[items.length - 1].detail += ', not on PATH yet: open a new terminal';
  }

  for (const tool of BROKER_KINDS.map((kind) => BROKERS[kind].server)) {
    const path = findOnPath(tool, env.PATH ?? '');
    items.push({
      name: tool,
      ok: !!path,
      detail: path ? `${versionOf(path, ['--version'])}`.slice(0, 80) : 'not installed',
      fix: installHint(tool),
      for: 'local',
    });
  }

  const stack = options.stack ?? DEFAULT_STACK;
  for (const [key, port] of Object.entries(stackPorts(repo, stack))) {
    const free = await portFree(port);
    items.push({
      name: `port ${port} (${key})`,
      ok: free,
      detail: free ? 'free on 127.0.0.1' : 'in use on 127.0.0.1',
      fix:
        `if your stack is already up, that is it; else stop what listens there (\`lsof -i :${port}\`), ` +
        `or pick another port: \`npm run workshop -- pulumi config set ${key} ${port + 1}\``,
      for: 'up',
    });
  }
  return items;
}

/** Prints one line per check (with the fix when it fails); exit code 1 when anything is missing. */
export async function doctor(options: InfraCommandOptions = {}): Promise<number> {
  const log = options.log ?? console.log;
  const items = await diagnose(options);
  const width = Math.max(...items.map((i) => i.name.length));
  for (const item of items) {
    const status = item.ok ? 'ok     ' : 'MISSING';
    const why = item.for === 'up' ? ' (for `workshop up`)' : item.for === 'local' ? ' (for the local runtime)' : '';
    log(`${status}  ${item.name.padEnd(width)}  ${item.detail}${item.ok ? '' : `${why}\n         fix: ${item.fix}`}`);
  }
  const missing = items.filter((i) => !i.ok).length;
  log(missing ? `doctor: ${missing} thing(s) to fix` : 'doctor: all set');
  return missing ? 1 : 0;
}

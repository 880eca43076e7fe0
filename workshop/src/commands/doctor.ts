/**
 * `workshop doctor`: is this machine ready for the workshop? First what the
 * local runtime needs (Node, redis-server, nats-server: `npm test`, the
 * graders, `workshop local`); then what only `workshop up` needs (a Docker
 * engine, the Pulumi CLI, the host ports the stack publishes). Only the
 * first counts as things to fix: the workshop can be done without Docker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { BROKER_KINDS, BROKERS } from '../runtime/brokers';
import { findOnPath, installHint } from '../runtime/tools';
import { DockerEngine } from '../runtime/docker-engine';
import { dockerEndpoints } from '../runtime/docker-endpoint';
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
  /** Works, with a caveat worth a line (a Docker release whose builds fail under the provider). */
  warning?: string;
}

/**
 * The Docker engine's build endpoint fails for a build context sent as a tar
 * (what Pulumi's Docker provider sends) when the containerd image store is
 * on: "failed to read downloaded context: ... invalid response status 403"
 * (moby/moby#47717, pulumi/pulumi-docker#967). Fixed in Docker Engine 27.5.0
 * ("containerd image store: Fix passing a build context via tarball to the
 * /build endpoint", moby/moby#49194); Docker Desktop reports the engine it
 * bundles, so the same version check holds there.
 */
export function engineWarning(version: string, containerdStore: boolean): string | undefined {
  if (!containerdStore) return undefined;
  const [major, minor] = version.split(/[.+-]/).map(Number);
  if (!Number.isFinite(major) || !Number.isFinite(minor)) return undefined;
  if (major > 27 || (major === 27 && minor >= 5)) return undefined;
  return (
    `Docker ${version} with the containerd image store fails Pulumi's image builds ` +
    '(moby/moby#47717, pulumi/pulumi-docker#967): update Docker to 27.5 or later, or turn the containerd image store off'
  );
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

  const endpoints = dockerEndpoints(env, options.dockerContext);
  let docker: DoctorItem | undefined;
  const reasons: string[] = [];
  for (const endpoint of endpoints) {
    if (!endpoint.socket) {
      docker = {
        name: 'Docker engine',
        ok: true,
        detail: `${endpoint.host} (${endpoint.source}, not probed)`,
        for: 'up',
      };
      break;
    }
    const engine = new DockerEngine(endpoint.socket);
    const probe = await engine.probe();
    if (probe.ok) {
      const version = await engine.version().catch(() => undefined);
      const info = await engine.info().catch(() => undefined);
      const containerdStore = (info?.DriverStatus ?? []).some(
        ([key, value]) => key === 'driver-type' && value.startsWith('io.containerd.snapshotter'),
      );
      docker = {
        name: 'Docker engine',
        ok: true,
        detail:
          `${version?.Version ?? 'answering'} on ${endpoint.socket} (${endpoint.source}), ` +
          `containerd image store ${containerdStore ? 'on' : 'off'}`,
        for: 'up',
        warning: version ? engineWarning(version.Version, containerdStore) : undefined,
      };
      break;
    }
    reasons.push(`${endpoint.socket}: ${probe.error}`);
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
          ? 'start Docker: open Docker Desktop (or Colima, OrbStack...), or `sudo systemctl start docker`'
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

/**
 * Prints one line per check (with the fix when it fails), what the local
 * runtime needs first. Exit code 1 when any of that is missing; what only
 * `workshop up` needs is reported but not counted.
 */
export async function doctor(options: InfraCommandOptions = {}): Promise<number> {
  const log = options.log ?? console.log;
  const items = await diagnose(options);
  const width = Math.max(...items.map((i) => i.name.length));
  const print = (item: DoctorItem) => {
    const status = item.ok ? (item.warning ? 'warn   ' : 'ok     ') : 'MISSING';
    const fix = item.ok ? (item.warning ? `\n         ${item.warning}` : '') : `\n         fix: ${item.fix}`;
    log(`${status}  ${item.name.padEnd(width)}  ${item.detail}${fix}`);
  };
  const needed = items.filter((i) => i.for !== 'up');
  const upOnly = items.filter((i) => i.for === 'up');
  log('For the workshop (npm test, the graders, workshop local):');
  needed.forEach(print);
  log('Only for `workshop up` (the system in Docker, optional):');
  upOnly.forEach(print);
  const missing = needed.filter((i) => !i.ok).length;
  const upMissing = upOnly.filter((i) => !i.ok).length;
  const upNote = upMissing ? ` (\`workshop up\` would need ${upMissing} more)` : '';
  log(missing ? `doctor: ${missing} thing(s) to fix${upNote}` : `doctor: all set${upNote}`);
  return missing ? 1 : 0;
}

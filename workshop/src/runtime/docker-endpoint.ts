/**
 * Where the Docker engine is, the way the docker CLI and Pulumi's Docker
 * provider find it: DOCKER_HOST when set; else the endpoint of the active
 * docker context (`docker context inspect`: Colima, OrbStack, Rancher
 * Desktop, Podman, rootless Docker all register one); else the usual sockets.
 * Only a unix socket can be probed from here; a tcp:// or ssh:// endpoint is
 * handed to Pulumi as it is, unprobed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findOnPath } from './tools';

export interface DockerEndpoint {
  /** unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host ... */
  host: string;
  /** The socket path when host is unix://. */
  socket?: string;
  /** Where it came from, for messages. */
  source: string;
}

function endpoint(host: string, source: string): DockerEndpoint {
  return host.startsWith('unix://') ? { host, socket: host.slice('unix://'.length), source } : { host, source };
}

/** The active docker context's endpoint (DOCKER_CONTEXT or the CLI's current context), if the CLI says one. */
export function contextEndpoint(env: NodeJS.ProcessEnv): DockerEndpoint | undefined {
  const docker = findOnPath('docker', env.PATH ?? '');
  if (!docker) return undefined;
  const result = spawnSync(docker, ['context', 'inspect', '--format', '{{.Name}} {{.Endpoints.docker.Host}}'], {
    env,
    encoding: 'utf8',
    timeout: 5_000,
  });
  const [name, host] = (result.status === 0 ? result.stdout.trim() : '').split(' ');
  return host ? endpoint(host, `docker context ${name}`) : undefined;
}

/** Candidate endpoints, first match wins: DOCKER_HOST; else the context's; else the usual sockets. */
export function dockerEndpoints(
  env: NodeJS.ProcessEnv = process.env,
  fromContext: (env: NodeJS.ProcessEnv) => DockerEndpoint | undefined = contextEndpoint,
): DockerEndpoint[] {
  if (env.DOCKER_HOST) return [endpoint(env.DOCKER_HOST, 'DOCKER_HOST')];
  const context = fromContext(env);
  if (context) return [context];
  const sockets = ['/var/run/docker.sock'];
  if (env.HOME) sockets.push(join(env.HOME, '.docker', 'run', 'docker.sock'));
  if (env.XDG_RUNTIME_DIR) sockets.push(join(env.XDG_RUNTIME_DIR, 'docker.sock'));
  return sockets.map((s) => endpoint(`unix://${s}`, 'default'));
}

/**
 * A small client of the Docker Engine API over its unix socket (no docker
 * CLI needed): enough to create what a plan declares, start it, watch its
 * health, read its logs and remove it again.
 */
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import type { PlanContainer } from '../plan';
import { waitFor } from './wait';

export class DockerApiError extends Error {
  override name = 'DockerApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The engine's socket: DOCKER_HOST when it is unix://, else the default. */
export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export interface ContainerState {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; ExitCode: number; Health?: { Status: string } };
  RestartCount: number;
}

/** '5s', '1m30s', '250ms' as nanoseconds (the Engine API's durations). */
export function nanoseconds(duration: string | undefined): number | undefined {
  if (!duration) return undefined;
  const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)];
  if (parts.map((p) => p[0]).join('') !== duration) throw new Error(`not a duration: "${duration}"`);
  for (const [, value, unit] of parts) total += Number(value) * units[unit];
  return Math.round(total);
}

/** The body of POST /containers/create for a declared container. */
export function containerSpec(c: PlanContainer, extraLabels: Record<string, string> = {}): Record<string, unknown> {
  const [first, ...more] = c.networks;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of c.ports) {
    const key = `${p.internal}/${p.protocol ?? 'tcp'}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.ip ?? '', HostPort: p.external === undefined ? '' : String(p.external) });
  }
  if (more.length) throw new Error(`${c.resource}: joining more than one network is not supported here`);
  const h = c.healthcheck;
  return {
    Image: c.image,
    Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
    Cmd: c.command,
    Entrypoint: c.entrypoint,
    User: c.user,
    Labels: { ...c.labels, ...extraLabels },
    ExposedPorts: exposed,
    Healthcheck: h
      ? {
          Test: h.tests,
          Interval: nanoseconds(h.interval),
          Timeout: nanoseconds(h.timeout),
          Retries: h.retries,
          StartPeriod: nanoseconds(h.startPeriod),
        }
      : undefined,
    HostConfig: {
      PortBindings: bindings,
      RestartPolicy: { Name: c.restart ?? 'no' },
      NetworkMode: first?.network ?? c.networkMode,
    },
    NetworkingConfig: first ? { EndpointsConfig: { [first.network]: { Aliases: first.aliases } } } : undefined,
  };
}

/** Docker's multiplexed log stream (8-byte frame headers) as text. */
export function demuxLogs(raw: Buffer): string {
  const chunks: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length && raw[i] <= 2 && raw[i + 1] === 0) {
    const size = raw.readUInt32BE(i + 4);
    chunks.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return i === 0 ? raw.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

export class DockerEngine {
  constructor(readonly socketPath: string = dockerSocket()) {}

  private send(
    method: string,
    path: string,
    body?: unknown,
    timeoutMs = 30_000,
  ): Promise<{ status: number; data: Buffer }> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, data: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer from the Docker engine`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, data } = await this.send(method, path, body);
    const text = data.toString('utf8');
    if (status >= 400) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON
      }
      throw new DockerApiError(`${method} ${path}: ${status} ${message.trim()}`, status);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** True when the engine answers on its socket. */
  async ping(): Promise<boolean> {
    return (await this.probe()).ok;
  }

  /** Whether the engine answers, and if not, why (ENOENT: no socket, EACCES: no permission, ...). */
  async probe(): Promise<{ ok: boolean; error?: string }> {
    try {
      const { status, data } = await this.send('GET', '/_ping', undefined, 3_000);
      return status === 200 && data.toString() === 'OK' ? { ok: true } : { ok: false, error: `answered ${status}` };
    } catch (error) {
      return { ok: false, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
    }
  }

  version(): Promise<{ Version: string; ApiVersion: string }> {
    return this.json('GET', '/version');
  }

  /** GET /info: DriverStatus holds ["driver-type", "io.containerd.snapshotter.v1"] when the containerd image store is on. */
  info(): Promise<{ Driver?: string; DriverStatus?: [string, string][] | null; ServerVersion?: string }> {
    return this.json('GET', '/info');
  }

  /**
   * POST /build with a tar context, the way Pulumi's Docker provider builds:
   * BuildKit (`version=2`) when the engine has it, the same build args, the
   * Dockerfile's path inside the context. Resolves with the image id.
   */
  build(
    context: Readable,
    options: {
      tag: string;
      dockerfile: string;
      buildArgs: Record<string, string>;
      target?: string;
      buildKit: boolean;
      network?: string;
    },
    timeoutMs = 15 * 60_000,
  ): Promise<string> {
    const query = new URLSearchParams({
      t: options.tag,
      dockerfile: options.dockerfile,
      buildargs: JSON.stringify(options.buildArgs),
      version: options.buildKit ? '2' : '1',
      rm: '1',
    });
    if (options.target) query.set('target', options.target);
    if (options.network) query.set('networkmode', options.network);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method: 'POST',
          path: `/build?${query}`,
          headers: { 'content-type': 'application/x-tar' },
          timeout: timeoutMs,
        },
        (res) => {
          let buffered = '';
          let id: string | undefined;
          let error: string | undefined;
          const tail: string[] = [];
          res.on('data', (chunk: Buffer) => {
            buffered += chunk.toString();
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            for (const line of lines.filter(Boolean)) {
              const message = JSON.parse(line) as {
                stream?: string;
                error?: string;
                id?: string;
                aux?: { ID?: string };
              };
              if (message.error) error = message.error;
              if (message.id === 'moby.image.id' || (message.aux?.ID && !message.id)) id = message.aux?.ID;
              if (message.stream) tail.push(...message.stream.split('\n').filter(Boolean));
              tail.splice(0, Math.max(0, tail.length - 20));
            }
          });
          res.on('end', () => {
            if (res.statusCode !== 200 || error)
              reject(
                new Error(`build of ${options.tag} failed: ${error ?? `HTTP ${res.statusCode}`}\n${tail.join('\n')}`),
              );
            else if (!id) reject(new Error(`build of ${options.tag}: the engine gave no image id`));
            else resolve(id);
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`build of ${options.tag}: no answer within ${timeoutMs / 1000} s`)),
      );
      req.on('error', reject);
      context.pipe(req);
    });
  }

  /** Whether the engine builds with BuildKit (API 1.39+ on Linux: /_ping says Builder-Version 2 when it is the default; it is available either way on 18.09+). */
  async hasBuildKit(): Promise<boolean> {
    const version = await this.version().catch(() => undefined);
    const [major, minor] = (version?.ApiVersion ?? '0.0').split('.').map(Number);
    return major > 1 || (major === 1 && minor >= 39);
  }

  /** Removes an image by name or id (not forced: an image a container still uses stays, 409). */
  async removeImage(name: string): Promise<'removed' | 'absent' | 'in use'> {
    try {
      await this.json('DELETE', `/images/${encodeURIComponent(name)}`);
      return 'removed';
    } catch (e) {
      if (e instanceof DockerApiError && e.status === 404) return 'absent';
      if (e instanceof DockerApiError && e.status === 409) return 'in use';
      throw e;
    }
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    const { Id } = await this.json<{ Id: string }>('POST', '/networks/create', {
      Name: name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: labels,
    });
    return Id;
  }

  async createContainer(name: string, spec: Record<string, unknown>): Promise<string> {
    const { Id } = await this.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, spec);
    return Id;
  }

  async start(id: string): Promise<void> {
    await this.json('POST', `/containers/${id}/start`);
  }

  inspect(id: string): Promise<ContainerState> {
    return this.json('GET', `/containers/${id}/json`);
  }

  /** Runs `cmd` in a running container, as `docker exec` does (detached), and resolves with its exit code. */
  async exec(id: string, cmd: string[], timeoutMs = 20_000): Promise<number> {
    const { Id } = await this.json<{ Id: string }>('POST', `/containers/${id}/exec`, {
      Cmd: cmd,
      AttachStdout: false,
      AttachStderr: false,
    });
    await this.json('POST', `/exec/${Id}/start`, { Detach: true });
    // ExitCode stays null until the command has run and ended.
    return waitFor(
      async () => {
        const state = await this.json<{ Running: boolean; ExitCode: number | null }>('GET', `/exec/${Id}/json`);
        return !state.Running && state.ExitCode !== null ? state.ExitCode : undefined;
      },
      { what: `\`${cmd.join(' ').slice(0, 60)}\` to end in container ${id.slice(0, 12)}`, timeoutMs, intervalMs: 100 },
    );
  }

  async logs(id: string, tail = 40): Promise<string> {
    const { data } = await this.send('GET', `/containers/${id}/logs?stdout=1&stderr=1&tail=${tail}`);
    return demuxLogs(data);
  }

  /** Containers and networks carrying label=value. */
  async listByLabel(label: string, value: string): Promise<{ containers: string[]; networks: string[] }> {
    const filters = encodeURIComponent(JSON.stringify({ label: [`${label}=${value}`] }));
    const containers = await this.json<{ Id: string }[]>('GET', `/containers/json?all=1&filters=${filters}`);
    const networks = await this.json<{ Id: string }[]>('GET', `/networks?filters=${filters}`);
    return { containers: containers.map((c) => c.Id), networks: networks.map((n) => n.Id) };
  }

  async removeContainer(id: string): Promise<void> {
    await this.json('DELETE', `/containers/${id}?force=1&v=1`).catch((e: unknown) => {
      if (!(e instanceof DockerApiError && e.status === 404)) throw e;
    });
  }

  async removeNetwork(id: string): Promise<void> {
    await this.json('DELETE', `/networks/${id}`).catch((e: unknown) => {
      if (!(e instanceof DockerApiError && e.status === 404)) throw e;
    });
  }

  /** Removes every container, then every network, labelled label=value. */
  async removeByLabel(label: string, value: string): Promise<number> {
    const { containers, networks } = await this.listByLabel(label, value);
    await Promise.all(containers.map((id) => this.removeContainer(id)));
    for (const id of networks) await this.removeNetwork(id);
    return containers.length;
  }
}

/**
 * The services' replicas as Node processes: start them all, and start, stop,
 * kill or restart one by id (the chaos checks need that).
 */
import { join } from 'node:path';
import { USER_CREATE, USER_CREATED } from '../../../services/shared/src/events';
import type { BackingEndpoints } from './backing';
import { watchReplica } from './lifecycle';
import { ManagedProcess } from './managed-process';
import { addressMismatch, type Served } from './addresses';
import { freePort } from './ports';
import { BROKER_KINDS, BROKERS, type BrokerKind } from './brokers';
import { CONSUMERS, SERVICE_NAMES, type BackingKind, type ServiceName, type Topology } from './topology';
import { waitFor } from './wait';
import { progress, timed } from '../cli/progress';

export interface Replica {
  id: string;
  service: ServiceName;
  env: Record<string, string>;
  process?: ManagedProcess;
}

export interface FleetOptions {
  /** The gateway's port (default: a free one). */
  gatewayPort?: number;
  /** Called with each line a replica prints. */
  onLine?: (replica: string, line: string) => void;
}

export class Fleet {
  private readonly replicas = new Map<string, Replica>();

  private constructor(
    private readonly topology: Topology,
    private readonly endpoints: BackingEndpoints,
    private readonly buildDir: string,
    private readonly logDir: string,
    readonly gatewayUrl: string,
    private readonly onLine?: FleetOptions['onLine'],
  ) {}

  static async start(
    topology: Topology,
    endpoints: BackingEndpoints,
    buildDir: string,
    logDir: string,
    options: FleetOptions = {},
  ): Promise<Fleet> {
    const gatewayPort = options.gatewayPort ?? (await freePort());
    const url = `http://127.0.0.1:${gatewayPort}`;
    const fleet = new Fleet(topology, endpoints, buildDir, logDir, url, options.onLine);
    for (const service of SERVICE_NAMES) {
      for (const { id, env } of topology.replicas[service]) {
        const local = toLoopback(env, topology.aliases, endpoints, gatewayPort, topology.listens);
        fleet.replicas.set(id, { id, service, env: { ...local, REPLICA_ID: id } });
      }
    }
    try {
      const all = () =>
        Promise.all([...fleet.replicas.keys()].map((id) => fleet.startReplica(id, { waitForBroker: false })));
      await timed(`starting ${fleet.replicas.size} replicas`, 'replicas started', all);
      await fleet.waitForSubscriptions();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  list(service?: ServiceName): Replica[] {
    return [...this.replicas.values()].filter((r) => !service || r.service === service);
  }

  /** Starts (or restarts) one replica and waits until it is ready. */
  async startReplica(id: string, { waitForBroker = true } = {}): Promise<void> {
    const replica = this.get(id);
    if (replica.process?.running) throw new Error(`replica ${id} is already running`);
    replica.process = new ManagedProcess({
      name: id,
      command: process.execPath,
      args: ['--enable-source-maps', join(this.buildDir, replica.service, 'src', 'main.js')],
      env: replica.env,
      logFile: join(this.logDir, `${id}.log`),
      onLine: this.onLine && ((line) => this.onLine?.(id, line)),
    });
    watchReplica(id, replica.process);
    await replica.process.waitForLine(/ready:/, 30_000);
    progress(`${id} started`);
    if (waitForBroker) await this.waitForSubscriptions();
  }

  /** A graceful stop (SIGTERM), as an orchestrator scaling down would do. */
  async stopReplica(id: string): Promise<void> {
    await this.get(id).process?.stop();
  }

  /** A crash (SIGKILL): no shutdown hook runs, in-flight work is lost. */
  async killReplica(id: string): Promise<void> {
    await this.get(id).process?.kill();
  }

  /** What a replica printed: the last lines, for failure messages. */
  output(id: string): string[] {
    return this.get(id).process?.output() ?? [];
  }

  async stop(): Promise<void> {
    await Promise.all(this.list().map((r) => r.process?.stop()));
  }

  private get(id: string): Replica {
    const replica = this.replicas.get(id);
    if (!replica) throw new Error(`no replica "${id}" (there are: ${[...this.replicas.keys()].join(', ')})`);
    return replica;
  }

  /**
   * Waits until each running user replica holds its subscription to
   * user.create (request-response is core pub/sub on every transport), and,
   * unless the consumers pull (waitForSubscriptions: false), each running
   * mail and push replica its subscription to user.created.
   */
  private async waitForSubscriptions(): Promise<void> {
    const running = (services: readonly ServiceName[]) =>
      this.list().filter((r) => services.includes(r.service) && r.process?.running).length;
    const expected: [string, number][] = [[USER_CREATE, running(['user'])]];
    if (this.topology.waitForSubscriptions !== false) expected.push([USER_CREATED, running(CONSUMERS)]);
    for (const [subject, count] of expected) {
      await waitFor(async () => (await this.subscribers(subject)) >= count, {
        what: `${count} subscriber(s) on "${subject}" at the broker`,
        timeoutMs: 10_000,
      });
      progress(`${count} replica(s) subscribed to ${subject}`);
    }
  }

  private subscribers(subject: string): Promise<number> {
    return BROKERS[this.topology.transport].subscribers(this.endpoints, subject);
  }
}

/** NATS_TOKEN -> nats: the variables that carry a broker's token. */
const TOKEN_VARIABLES: Record<string, BrokerKind> = Object.fromEntries(
  BROKER_KINDS.flatMap((kind) => {
    const token = BROKERS[kind].token;
    return token ? [[token.envName, kind]] : [];
  }),
);

/** Nest colours its logs; the runtime keeps them as plain text in log files. */
const PLAIN_LOGS = { NO_COLOR: '1', FORCE_COLOR: '0' };

/**
 * A declared env, pointed at this machine: each URL whose host is a known
 * alias gets the loopback address and port of that backing service, a
 * broker's token the token of the broker this run started; PORT and
 * HOST make the gateway listen on its free loopback port. With `listens`
 * (what each alias's container serves), a URL whose scheme or port that
 * container does not listen on is refused: in Docker it would reach nothing.
 */
export function toLoopback(
  env: Record<string, string>,
  aliases: Record<string, BackingKind>,
  endpoints: BackingEndpoints,
  gatewayPort: number,
  listens: Record<string, Served> = {},
): Record<string, string> {
  const local: Record<BackingKind | 'smtp', string | undefined> = {
    ...(Object.fromEntries(BROKER_KINDS.map((kind) => [kind, BROKERS[kind].url(endpoints)])) as Record<
      BrokerKind,
      string
    >),
    maildev: endpoints.mailDevUrl,
    smtp: endpoints.smtpUrl,
    'push-sink': endpoints.pushSinkUrl,
  };
  const out: Record<string, string> = { ...PLAIN_LOGS };
  for (const [name, value] of Object.entries(env)) {
    out[name] = value;
    const tokenOf = TOKEN_VARIABLES[name];
    if (tokenOf) {
      // The token of the broker this run started, in place of the stack's (as its address replaces the alias).
      out[name] = BROKERS[tokenOf].tokenOf(endpoints) ?? value;
      continue;
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      continue; // not a URL: kept as declared
    }
    const kind = aliases[url.hostname];
    if (!kind) continue;
    const served = listens[url.hostname];
    const mismatch = served && addressMismatch(name, value, `the ${kind} container ("${url.hostname}")`, served);
    if (mismatch) throw new Error(`${mismatch}: fix the address in the Pulumi program (the runtime would not hide it)`);
    const target = kind === 'maildev' && url.protocol === 'smtp:' ? local.smtp : local[kind];
    if (!target) throw new Error(`${name}=${value} points at ${kind}, which this run does not start`);
    const loopback = new URL(target);
    url.hostname = loopback.hostname;
    url.port = loopback.port;
    out[name] = url.toString().replace(/\/$/, value.endsWith('/') ? '/' : '');
  }
  if ('PORT' in env) {
    out.PORT = String(gatewayPort);
    out.HOST = '127.0.0.1';
  }
  return out;
}

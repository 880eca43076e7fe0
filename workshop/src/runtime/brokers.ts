/**
 * Everything the harness knows about each message broker, in one place: how
 * the services name it (env variable, URL scheme, port, network alias, as
 * infra/components/broker.ts declares it), how a plan's image is recognised,
 * how the local runtime runs it and knows it is ready, how it counts
 * subscribers, and how a learner installs it. The backing services, the
 * fleet, the plan's roles and `doctor` all read it; a unit test holds it to
 * the Pulumi component. A new broker is one entry here (and one there).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { natsSubscriptions, redisSubscribers } from './subscriptions';

export const BROKER_KINDS = ['redis', 'nats'] as const;
export type BrokerKind = (typeof BROKER_KINDS)[number];

/** Where the local runtime serves a broker (a subset of the backing endpoints). */
export interface BrokerEndpoints {
  redisUrl?: string;
  natsUrl?: string;
  /** NATS's monitoring endpoint (subscriptions, JetStream state). */
  natsMonitorUrl?: string;
  /** The token the NATS server requires of every client (its --auth). */
  natsToken?: string;
}

export interface BrokerSpec {
  /** The variable the services read its URL from. */
  envName: 'REDIS_URL' | 'NATS_URL';
  scheme: string;
  port: number;
  /** The server's flags that set the client port (`--port 6380`, `-p 4223`): how a declared command moves it off `port`. */
  portFlags: string[];
  /** Its host name on the network (the alias the workshop's program gives it). */
  alias: string;
  /** A registry image is this broker when its repository name contains this (redis:7-alpine, nats:2.10). */
  imageMatch: string;
  /** The server binary the local runtime runs. */
  server: string;
  /** One line on how to install `server`. */
  installHint: string;
  /** How many free loopback ports a local run takes. */
  ports: number;
  /** The server's arguments on those ports; `scratch` is a throwaway folder of its own. */
  args(ports: number[], scratch: string): string[];
  /**
   * The token the server requires of every client, as infra/components/broker.ts
   * declares it: the server flag that sets it, and the variable the services
   * read it from. None: the broker takes any client (Redis, in this workshop).
   */
  token?: { flag: string; envName: string };
  /** Where the local run answers, on those ports (with the token it requires). */
  endpoints(ports: number[], token?: string): BrokerEndpoints;
  /** The line the server logs once it accepts clients. */
  readyLine: RegExp;
  /** The progress line shown once it does. */
  readyMessage: string;
  /** Its URL among the endpoints (undefined: not running). */
  url(endpoints: BrokerEndpoints): string | undefined;
  /** Its token among the endpoints (undefined: none required, or not running). */
  tokenOf(endpoints: BrokerEndpoints): string | undefined;
  /** How many subscribers `subject` has right now (core pub/sub on this broker). */
  subscribers(endpoints: BrokerEndpoints, subject: string): Promise<number>;
}

const HOW = 'the graders and `workshop local` run it themselves';

export const BROKERS: Record<BrokerKind, BrokerSpec> = {
  redis: {
    envName: 'REDIS_URL',
    scheme: 'redis',
    port: 6379,
    portFlags: ['--port'],
    alias: 'redis',
    imageMatch: 'redis',
    server: 'redis-server',
    installHint: `install Redis: \`sudo apt-get install -y redis-server\` (Debian/Ubuntu), \`brew install redis\` (macOS): ${HOW}`,
    ports: 1,
    // In memory only: the workshop's data is throwaway.
    args: ([port]) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    endpoints: ([port]) => ({ redisUrl: `redis://127.0.0.1:${port}` }),
    readyLine: /Ready to accept connections/,
    readyMessage: 'Redis ready',
    url: (e) => e.redisUrl,
    tokenOf: () => undefined,
    subscribers: (e, subject) => redisSubscribers(e.redisUrl!, subject),
  },
  nats: {
    envName: 'NATS_URL',
    scheme: 'nats',
    port: 4222,
    portFlags: ['-p', '--port', '-port'],
    alias: 'nats',
    imageMatch: 'nats',
    server: 'nats-server',
    installHint: `install NATS: \`sudo apt-get install -y nats-server\` (Debian/Ubuntu), \`brew install nats-server\` (macOS): ${HOW}`,
    ports: 2,
    // -js: JetStream (steps 4-5), its store in the scratch folder; -m: the monitoring port.
    args: ([port, monitor], scratch) => [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      String(monitor),
      '-js',
      '-sd',
      join(scratch, 'jetstream'),
    ],
    // As in the Docker stack: the server refuses a client without the token.
    token: { flag: '--auth', envName: 'NATS_TOKEN' },
    endpoints: ([port, monitor], token) => ({
      natsUrl: `nats://127.0.0.1:${port}`,
      natsMonitorUrl: `http://127.0.0.1:${monitor}`,
      natsToken: token,
    }),
    readyLine: /Server is ready/,
    readyMessage: 'NATS ready (JetStream on)',
    url: (e) => e.natsUrl,
    tokenOf: (e) => e.natsToken,
    subscribers: async (e, subject) => (await natsSubscriptions(e.natsMonitorUrl!, subject)).length,
  },
};

/**
 * How to run `kind` on these ports: the server's arguments and where it
 * answers, with a token of its own when the broker requires one (a new one
 * per run: nothing outside the run needs to know it).
 */
export function launchOf(
  kind: BrokerKind,
  ports: number[],
  scratch: string,
): { args: string[]; endpoints: BrokerEndpoints } {
  const spec = BROKERS[kind];
  const token = spec.token ? randomBytes(18).toString('base64url') : undefined;
  const auth = spec.token && token ? [spec.token.flag, token] : [];
  return { args: [...spec.args(ports, scratch), ...auth], endpoints: spec.endpoints(ports, token) };
}

export function isBrokerKind(value: string | undefined): value is BrokerKind {
  return (BROKER_KINDS as readonly string[]).includes(value ?? '');
}

/**
 * The stack's `transport` (infra/config.ts, exported by infra/index.ts) and
 * what it means for the runtime: the broker the services talk through, and
 * whether the consumers pull (and so hold no subscription to wait on).
 */
export const TRANSPORT_CHOICES: Record<string, { broker: BrokerKind; pull: boolean }> = {
  redis: { broker: 'redis', pull: false },
  nats: { broker: 'nats', pull: false },
  jetstream: { broker: 'nats', pull: true },
};

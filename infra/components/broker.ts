/**
 * The message broker the services talk through: Redis (pub/sub, steps 1-2,
 * and the idempotency store of step 5) or NATS with JetStream on (steps 3+).
 * The services reach it by its network alias; no port is published.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { FIXED_NAME, registerBacking, WAIT_HEALTHY } from './backing';
import { containerLabels } from './labels';

export type BrokerKind = 'redis' | 'nats';

interface BrokerSpec {
  /** The host name the services use: the container's alias on the network. */
  alias: string;
  port: number;
  scheme: string;
  /** The variable the services read the URL from. */
  envName: 'REDIS_URL' | 'NATS_URL';
  command: string[];
  /** A server that requires a token of every client: the flag that sets it, and the variable the services read it from. */
  token?: { flag: string; envName: 'NATS_TOKEN' };
  healthcheck: docker.types.input.ContainerHealthcheck;
}

const HEALTH_TIMING = { interval: '5s', timeout: '3s', retries: 5, startPeriod: '5s' };

export const BROKERS: Record<BrokerKind, BrokerSpec> = {
  redis: {
    alias: 'redis',
    port: 6379,
    scheme: 'redis',
    envName: 'REDIS_URL',
    // In memory only: the workshop's data is throwaway.
    command: ['redis-server', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
    healthcheck: { tests: ['CMD', 'redis-cli', 'ping'], ...HEALTH_TIMING },
  },
  nats: {
    alias: 'nats',
    port: 4222,
    scheme: 'nats',
    envName: 'NATS_URL',
    // -js: JetStream (steps 4-5); -m: the monitoring port, for the healthcheck.
    command: ['-js', '-sd', '/data/jetstream', '-m', '8222'],
    // A client without the token is refused: only the stack's services get it.
    token: { flag: '--auth', envName: 'NATS_TOKEN' },
    healthcheck: { tests: ['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:8222/healthz'], ...HEALTH_TIMING },
  },
};

export interface BrokerArgs {
  kind: BrokerKind;
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  namePrefix: string;
  /** The token a broker that takes one requires (the stack's secret config natsToken); unset: one generated for the stack. */
  token?: pulumi.Input<string>;
}

export class Broker extends pulumi.ComponentResource {
  readonly kind: BrokerKind;
  /** The URL inside the network, e.g. nats://nats:4222. */
  readonly url: string;
  /** REDIS_URL or NATS_URL. */
  readonly envName: string;
  /** The token it requires of every client, a secret (NATS); undefined for Redis. */
  readonly token?: pulumi.Output<string>;
  /** Its server's command: the one of its kind, with the token it requires. */
  readonly command: pulumi.Input<string>[];
  readonly container: docker.Container;

  constructor(name: string, args: BrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('workshop:broker:Broker', name, {}, opts);
    const spec = BROKERS[args.kind];
    this.kind = args.kind;
    this.envName = spec.envName;
    if (spec.token) {
      // The stack's own token, else one generated once and kept (encrypted) in the stack's state.
      const generated = () =>
        new random.RandomPassword(`${name}-token`, { length: 32, special: false }, { parent: this });
      this.token = pulumi.secret(args.token ?? generated().result);
      this.command = [...spec.command, spec.token.flag, this.token];
    } else {
      this.command = spec.command;
    }
    // TODO: the broker's address as the services use it from inside the network: its scheme, the host name its
    // container answers to there, the port its server listens on (the spec table above has all three).
    // TODO: the broker's container, shaped like MailDev's (components/maildev.ts): its Docker name from the prefix, the
    // image, its server's command (the one of its kind, with the token it requires: see above), the restart policy
    // and healthcheck, waiting until healthy, its role label.
    // It joins the network under the host name of that address. Nothing on this machine talks to the broker:
    // publish no port of it.
    // TODO: register it as a backing container (the services start after it), then register the component's outputs.
    throw new Error('infra/components/broker.ts: the broker declares no container yet (step 1)');
  }

  /** What a service needs to reach it: its URL and, for a broker that requires one, the token (NATS_TOKEN). */
  env(): Record<string, pulumi.Input<string>> {
    const spec = BROKERS[this.kind];
    return spec.token && this.token
      ? { [this.envName]: this.url, [spec.token.envName]: this.token }
      : { [this.envName]: this.url };
  }
}

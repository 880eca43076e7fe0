/**
 * The message broker the services talk through: Redis (pub/sub, steps 1-2,
 * and the idempotency store of step 5) or NATS with JetStream on (steps 3+).
 * The services reach it by its network alias; no port is published.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
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
    healthcheck: { tests: ['CMD', 'wget', '-q', '--spider', 'http://127.0.0.1:8222/healthz'], ...HEALTH_TIMING },
  },
};

export interface BrokerArgs {
  kind: BrokerKind;
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  namePrefix: string;
}

export class Broker extends pulumi.ComponentResource {
  readonly kind: BrokerKind;
  /** The URL inside the network, e.g. nats://nats:4222. */
  readonly url: string;
  /** REDIS_URL or NATS_URL. */
  readonly envName: string;
  readonly container: docker.Container;

  constructor(name: string, args: BrokerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('workshop:broker:Broker', name, {}, opts);
    const spec = BROKERS[args.kind];
    this.kind = args.kind;
    this.envName = spec.envName;
    // TODO: the broker's address as the services use it from inside the network: its scheme, the host name its
    // container answers to there, the port its server listens on (the spec table above has all three).
    // TODO: the broker's container, shaped like MailDev's (components/maildev.ts): its Docker name from the prefix, the
    // image, the command of its kind, the restart policy and healthcheck, waiting until healthy, its role label.
    // It joins the network under the host name of that address. Nothing on this machine talks to the broker:
    // publish no port of it.
    // TODO: register it as a backing container (the services start after it), then register the component's outputs.
    throw new Error('infra/components/broker.ts: the broker declares no container yet (step 1)');
  }
}

/**
 * The stack's configuration, typed. Pulumi.yaml describes each key and its
 * default for the CLI; the same defaults are repeated here so that the
 * program also runs where Pulumi.yaml is not read (unit tests under mocks).
 * A test keeps the two in step.
 */
import * as pulumi from '@pulumi/pulumi';

export const TRANSPORTS = ['redis', 'nats', 'jetstream'] as const;
/** jetstream is NATS too (the broker always runs with -js): the services decide how they consume. */
export type TransportChoice = (typeof TRANSPORTS)[number];

export interface Replicas {
  gateway: number;
  user: number;
  mail: number;
  push: number;
}

export interface WorkshopConfig {
  transport: TransportChoice;
  /** Step 5: Redis beside NATS, as the consumers' idempotency store. */
  idempotencyStore: boolean;
  replicas: Replicas;
  /** Host ports, all published on 127.0.0.1 only. */
  ports: { gateway: number; mailDev: number; pushSink: number };
  images: { base: string; redis: string; nats: string; mailDev: string };
  namePrefix: string;
  /**
   * The token the NATS broker requires of every client, from the stack's
   * secret config (`pulumi config set --secret natsToken ...`); unset, the
   * broker generates one for the stack (infra/components/broker.ts).
   */
  natsToken?: pulumi.Output<string>;
}

export const DEFAULTS: WorkshopConfig = {
  transport: 'redis',
  idempotencyStore: false,
  replicas: { gateway: 1, user: 1, mail: 1, push: 1 },
  ports: { gateway: 3000, mailDev: 1080, pushSink: 8080 },
  images: {
    base: 'node:24-bookworm-slim',
    redis: 'redis:7.4-alpine',
    nats: 'nats:2.10-alpine',
    mailDev: 'maildev/maildev:2.2.1',
  },
  namePrefix: 'workshop',
};

export function readConfig(): WorkshopConfig {
  const config = new pulumi.Config();
  // A replica count is a whole number of containers, at least one: stop here on anything else, rather
  // than declare none (0) or round it silently (2.5 would give 3 turns of the replica loop).
  const replicas = (key: string, fallback: number) => {
    const count = config.getNumber(key) ?? fallback; // not a number at all: getNumber throws, naming the key
    if (!Number.isInteger(count) || count < 1) {
      throw new pulumi.RunError(
        `${key} must be a whole number of replicas, at least 1: the stack config has ${count}.`,
      );
    }
    return count;
  };
  const port = (key: string, fallback: number) => config.getNumber(key, { min: 1, max: 65535 }) ?? fallback;
  const image = (key: string, fallback: string) => config.get(key, { minLength: 1 }) ?? fallback;
  const d = DEFAULTS;
  return {
    transport: config.get<TransportChoice>('transport', { allowedValues: [...TRANSPORTS] }) ?? d.transport,
    idempotencyStore: config.getBoolean('idempotencyStore') ?? d.idempotencyStore,
    replicas: {
      // From the stack config: `pulumi config set mailReplicas 2` scales the mail service.
      gateway: replicas('gatewayReplicas', d.replicas.gateway),
      user: replicas('userReplicas', d.replicas.user),
      mail: replicas('mailReplicas', d.replicas.mail),
      push: replicas('pushReplicas', d.replicas.push),
    },
    ports: {
      gateway: port('gatewayPort', d.ports.gateway),
      mailDev: port('mailDevPort', d.ports.mailDev),
      pushSink: port('pushSinkPort', d.ports.pushSink),
    },
    images: {
      base: image('baseImage', d.images.base),
      redis: image('redisImage', d.images.redis),
      nats: image('natsImage', d.images.nats),
      mailDev: image('mailDevImage', d.images.mailDev),
    },
    // Pulumi.yaml's default is empty: the prefix then comes from the stack's name.
    namePrefix: config.get('namePrefix', { pattern: /^([a-z0-9][a-z0-9_.-]*)?$/ }) || defaultNamePrefix(),
    natsToken: config.getSecret('natsToken', { minLength: 1 }),
  };
}

/**
 * namePrefix when the stack sets none: `workshop` for the stack dev (the
 * names the guide uses), `workshop-<stack>` for any other, so that two stacks
 * on one engine do not fight over container names.
 */
export function defaultNamePrefix(stack: string = pulumi.getStack()): string {
  if (stack === 'dev') return DEFAULTS.namePrefix;
  return `${DEFAULTS.namePrefix}-${stack.toLowerCase().replace(/[^a-z0-9_.-]/g, '-')}`;
}

/** The brokers a configuration starts: its transport's, plus Redis as the idempotency store. */
export function brokersFor(config: Pick<WorkshopConfig, 'transport' | 'idempotencyStore'>): ('redis' | 'nats')[] {
  const transport = 'redis' as 'redis' | 'nats'; // Redis pub/sub, whatever the config says, until step 3.
  if (config.idempotencyStore && transport === 'nats') return ['nats', 'redis'];
  return [transport];
}

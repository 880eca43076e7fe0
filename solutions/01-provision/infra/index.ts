/**
 * The workshop's system as Docker containers: one network; the broker(s);
 * MailDev and the push sink; the four NestJS services, each N replicas.
 * This file only reads the configuration and wires the components
 * (infra/components/: each says what it needs).
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { Broker } from './components/broker';
import { MailDev } from './components/maildev';
import { NestService } from './components/nest-service';
import { PushSink } from './components/push-sink';
import { ServiceImage } from './components/service-image';
import { brokersFor, readConfig } from './config';

const config = readConfig();
const { namePrefix } = config;

/** Replica id -> Docker container name, for `workshop kill mail-2` and the like on a deployed stack. */
const containerNames = (services: NestService[]) =>
  Object.fromEntries(services.flatMap((s) => s.containers.map((c, i) => [s.replicaIds[i], c.name])));

// One network: every container reaches the others by their aliases.
const network = new docker.Network('network', {
  name: `${namePrefix}-net`,
  labels: [{ label: 'workshop.stack', value: pulumi.getStack() }],
});
const networkName = network.name;

// The broker(s): Redis for transport=redis, NATS (JetStream on) for nats and
// jetstream, and Redis beside NATS when idempotencyStore is on (step 5).
const brokers = brokersFor(config).map(
  (kind) =>
    new Broker(kind, {
      kind,
      image: kind === 'redis' ? config.images.redis : config.images.nats,
      networkName,
      namePrefix,
      // NATS requires a token of every client: the stack's secret, or (unset) one the broker generates.
      token: config.natsToken,
    }),
);
// The same for every service: each broker's address inside the network (REDIS_URL, NATS_URL), and NATS's token.
const brokerEnv: Record<string, pulumi.Input<string>> = Object.assign({}, ...brokers.map((b) => b.env()));

// Where the emails and pushes land.
const mailDev = new MailDev('maildev', {
  image: config.images.mailDev,
  networkName,
  hostPort: config.ports.mailDev,
  namePrefix,
});

const imageOf = (service: string) =>
  new ServiceImage(service, { service, baseImage: config.images.base, namePrefix }).ref;

const pushSink = new PushSink('push-sink', {
  image: imageOf('push-sink'),
  networkName,
  hostPort: config.ports.pushSink,
  namePrefix,
});

// The four services.
const gateway = new NestService('gateway', {
  service: 'gateway',
  replicas: config.replicas.gateway,
  image: imageOf('gateway'),
  networkName,
  env: brokerEnv,
  http: { port: 3000, hostPort: config.ports.gateway, healthPath: '/health' },
  namePrefix,
});
const user = new NestService('user', {
  service: 'user',
  replicas: config.replicas.user,
  image: imageOf('user'),
  networkName,
  env: brokerEnv,
  namePrefix,
});
const mail = new NestService('mail', {
  service: 'mail',
  replicas: config.replicas.mail,
  image: imageOf('mail'),
  networkName,
  // MailDev by its alias on the network: the mail service sends its emails there.
  env: { ...brokerEnv, SMTP_URL: mailDev.smtpUrl },
  namePrefix,
});
const push = new NestService('push', {
  service: 'push',
  replicas: config.replicas.push,
  image: imageOf('push'),
  networkName,
  // The push sink by its alias: the push service posts its notifications there.
  env: { ...brokerEnv, PUSH_SINK_URL: pushSink.url },
  namePrefix,
});

/** The stack's transport: the workshop's runtime and graders read this output. */
export const transport = config.transport;

// What you open on this machine: the published ports, not the in-network aliases.
export const gatewayUrl = gateway.urls[0];
export const mailDevUrl = mailDev.url;
export const pushSinkUrl = pushSink.hostUrl;
export const containers = containerNames([gateway, user, mail, push]);

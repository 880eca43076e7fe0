/**
 * A NestJS service as N containers of one image: each replica its own
 * container, with its replica id in REPLICA_ID (mail-1, mail-2, ...), a
 * restart policy and a healthcheck. Each starts after the backing containers
 * (broker, MailDev, push sink) and `pulumi up` waits for it to be healthy.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { backingContainers, FIXED_NAME, WAIT_HEALTHY } from './backing';
import { connectedHealthcheck, httpHealthcheck } from './healthchecks';
import { containerLabels, envList } from './labels';

export interface NestServiceArgs {
  /** gateway, user, mail or push. */
  service: string;
  replicas: number;
  /** The image built from services/Dockerfile (see ServiceImage). */
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  /** What every replica gets: broker URLs (in-network host names) and tokens, SMTP_URL, PUSH_SINK_URL... */
  env: Record<string, pulumi.Input<string>>;
  /** An HTTP service: it listens on `port` (its PORT), published on 127.0.0.1:hostPort (replica i on hostPort + i). */
  http?: { port: number; hostPort: number; healthPath: string };
  namePrefix: string;
}

export class NestService extends pulumi.ComponentResource {
  readonly replicaIds: string[] = [];
  readonly containers: docker.Container[] = [];
  /** For an HTTP service: each replica's URL on this machine. */
  readonly urls: string[] = [];

  constructor(name: string, args: NestServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('workshop:service:NestService', name, {}, opts);
    const { http } = args;
    const env: Record<string, pulumi.Input<string>> = { ...args.env, ...(http ? { PORT: String(http.port) } : {}) };
    const healthcheck = http ? httpHealthcheck(http.port, http.healthPath) : connectedHealthcheck(brokerPort(env));

    // TODO: one container per replica, as many as this service's replica count, not only the first.
    // Docker refuses a second container whose name is taken, and a second container on a host port
    // already published. So each replica needs its own container name, its own replica id (its alias
    // on the network, and the id the service reads from its env), and, for a service with HTTP, its
    // own port on this machine (the first replica on the given host port, the next on the one after).
    // Record each replica below, as the first one is.
    const replicaId = `${args.service}-1`;
    const container = new docker.Container(
      replicaId,
      {
        name: `${args.namePrefix}-${args.service}-1`,
        image: args.image,
        envs: envList({ ...env, REPLICA_ID: replicaId }),
        networksAdvanced: [{ name: args.networkName, aliases: [replicaId] }],
        ports: http ? [{ internal: http.port, external: http.hostPort, ip: '127.0.0.1' }] : [],
        restart: 'unless-stopped',
        healthcheck,
        ...WAIT_HEALTHY,
        labels: containerLabels(args.service, replicaId),
      },
      { parent: this, dependsOn: backingContainers(), ...FIXED_NAME },
    );
    this.replicaIds.push(replicaId);
    this.containers.push(container);
    if (http) this.urls.push(`http://127.0.0.1:${http.hostPort}`);

    this.registerOutputs({ replicaIds: this.replicaIds, urls: this.urls });
  }
}

/** The port of the broker a service connects to: NATS if it has NATS_URL, else Redis. */
function brokerPort(env: Record<string, pulumi.Input<string>>): number {
  const url = env.NATS_URL ?? env.REDIS_URL;
  if (typeof url !== 'string') throw new Error('a service without HTTP needs NATS_URL or REDIS_URL (a URL) in its env');
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : parsed.protocol === 'nats:' ? 4222 : 6379;
}

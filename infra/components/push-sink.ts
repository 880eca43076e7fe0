/**
 * The push sink: a stand-in for FCM/APNs that records each notification and
 * the replica that sent it. The push service reaches it by the alias
 * `push-sink`; the graders read it on 127.0.0.1.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { httpHealthcheck } from './healthchecks';
import { FIXED_NAME, registerBacking, WAIT_HEALTHY } from './backing';
import { containerLabels, envList } from './labels';

export const PUSH_SINK_ALIAS = 'push-sink';
const PORT = 8080;

export interface PushSinkArgs {
  /** Built from services/Dockerfile with SERVICE=push-sink. */
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  hostPort: number;
  namePrefix: string;
}

export class PushSink extends pulumi.ComponentResource {
  /** For the push service's PUSH_SINK_URL: http://push-sink:8080. */
  readonly url = `http://${PUSH_SINK_ALIAS}:${PORT}`;
  /** The sink on this machine. */
  readonly hostUrl: string;
  readonly container: docker.Container;

  constructor(name: string, args: PushSinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('workshop:pushsink:PushSink', name, {}, opts);
    this.hostUrl = `http://127.0.0.1:${args.hostPort}`;
    this.container = new docker.Container(
      name,
      {
        name: `${args.namePrefix}-${PUSH_SINK_ALIAS}`,
        image: args.image,
        envs: envList({ PORT: String(PORT), REPLICA_ID: PUSH_SINK_ALIAS }),
        networksAdvanced: [{ name: args.networkName, aliases: [PUSH_SINK_ALIAS] }],
        ports: [{ internal: PORT, external: args.hostPort, ip: '127.0.0.1' }],
        restart: 'unless-stopped',
        healthcheck: httpHealthcheck(PORT, '/health'),
        ...WAIT_HEALTHY,
        labels: containerLabels('push-sink'),
      },
      { parent: this, ...FIXED_NAME },
    );
    registerBacking(this.container);
    this.registerOutputs({ url: this.url, hostUrl: this.hostUrl });
  }
}

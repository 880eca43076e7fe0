/**
 * MailDev: the SMTP server that catches the welcome emails, with a web UI
 * and a REST API (published on 127.0.0.1) to read them. Its SMTP port stays
 * inside the network, reached by the alias `maildev`.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { FIXED_NAME, registerBacking, WAIT_HEALTHY } from './backing';
import { containerLabels, envList } from './labels';

export const MAILDEV_ALIAS = 'maildev';
const SMTP_PORT = 1025;
const WEB_PORT = 1080;

export interface MailDevArgs {
  image: pulumi.Input<string>;
  networkName: pulumi.Input<string>;
  /** The web UI and REST API on 127.0.0.1:hostPort. */
  hostPort: number;
  namePrefix: string;
}

export class MailDev extends pulumi.ComponentResource {
  /** For the mail service's SMTP_URL: smtp://maildev:1025. */
  readonly smtpUrl = `smtp://${MAILDEV_ALIAS}:${SMTP_PORT}`;
  /** The web UI on this machine. */
  readonly url: string;
  readonly container: docker.Container;

  constructor(name: string, args: MailDevArgs, opts?: pulumi.ComponentResourceOptions) {
    super('workshop:maildev:MailDev', name, {}, opts);
    this.url = `http://127.0.0.1:${args.hostPort}`;
    this.container = new docker.Container(
      name,
      {
        name: `${args.namePrefix}-${MAILDEV_ALIAS}`,
        image: args.image,
        // MailDev reads these (its image's own HEALTHCHECK does too).
        envs: envList({ MAILDEV_SMTP_PORT: String(SMTP_PORT), MAILDEV_WEB_PORT: String(WEB_PORT) }),
        networksAdvanced: [{ name: args.networkName, aliases: [MAILDEV_ALIAS] }],
        ports: [{ internal: WEB_PORT, external: args.hostPort, ip: '127.0.0.1' }],
        restart: 'unless-stopped',
        // Healthy by the image's own HEALTHCHECK.
        ...WAIT_HEALTHY,
        labels: containerLabels('maildev'),
      },
      { parent: this, ...FIXED_NAME },
    );
    registerBacking(this.container);
    this.registerOutputs({ smtpUrl: this.smtpUrl, url: this.url });
  }
}

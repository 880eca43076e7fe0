/**
 * A service's image, built on this machine from the one shared
 * services/Dockerfile (a build argument picks the service), never pushed.
 * `pulumi destroy` leaves it in the engine (the provider's Image delete does
 * nothing); `npm run workshop -- down` removes it afterwards.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';

export interface ServiceImageArgs {
  /** gateway, user, mail, push or push-sink: the folder under services/. */
  service: string;
  /** The Dockerfile's BASE_IMAGE: Node >= 22 with npm (a local mirror works). */
  baseImage: string;
  namePrefix: string;
}

/**
 * A room without internet: `npmRegistry` (stack config) is the npm mirror the
 * Dockerfile's `npm ci` and TypeScript install use (NPM_CONFIG_REGISTRY).
 */
function npmBuildArgs(): Record<string, string> {
  // Pulumi.yaml's default is empty: no mirror, the public registry.
  const registry = new pulumi.Config().get('npmRegistry');
  return registry ? { NPM_CONFIG_REGISTRY: registry } : {};
}

export class ServiceImage extends pulumi.ComponentResource {
  readonly image: docker.Image;
  /**
   * What a container runs: the image's id (repoDigest of a local image is
   * `sha256:...`), which changes with each build that changes the image, so
   * `pulumi up` replaces the containers of edited code.
   */
  readonly ref: pulumi.Output<string>;

  constructor(name: string, args: ServiceImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('workshop:image:ServiceImage', name, {}, opts);
    this.image = new docker.Image(
      name,
      {
        imageName: `${args.namePrefix}-${args.service}:local`,
        skipPush: true,
        build: {
          // Paths are relative to infra/, where pulumi runs the program.
          context: '..',
          dockerfile: '../services/Dockerfile',
          args: { SERVICE: args.service, BASE_IMAGE: args.baseImage, ...npmBuildArgs() },
        },
      },
      { parent: this },
    );
    this.ref = this.image.repoDigest;
    this.registerOutputs({ imageName: this.image.imageName, ref: this.ref });
  }
}

/**
 * The containers the services need running before they start: the
 * broker(s), MailDev and the push sink. Each registers itself here when it is
 * declared, and every service container declared after it `dependsOn` them,
 * so that `pulumi up` creates (and, with `wait`, waits for) them first. The
 * services name them by alias in plain strings (REDIS_URL, SMTP_URL...), from
 * which Pulumi could not tell.
 */
import type * as docker from '@pulumi/docker';

const declared: docker.Container[] = [];

export function registerBacking(container: docker.Container): void {
  declared.push(container);
}

/** The backing containers declared so far. */
export function backingContainers(): docker.Container[] {
  return [...declared];
}

/**
 * `wait`: the provider waits until the container's healthcheck says healthy
 * (up to waitTimeout seconds) before it reports the container created, so a
 * service that cannot start fails `pulumi up` instead of crash-looping behind
 * a success.
 */
export const WAIT_HEALTHY = { wait: true, waitTimeout: 120 } as const;

/**
 * A container with a fixed name cannot be replaced create-first (the new one
 * would need the old one's name): Pulumi deletes it, then creates the new one.
 */
export const FIXED_NAME = { deleteBeforeReplace: true } as const;

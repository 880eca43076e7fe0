/**
 * Docker labels on every container: they say which part of the system a
 * container is (the workshop's graders and its local runtime read them from
 * the plan) and let `docker ps --filter label=workshop.stack=dev` find a stack.
 */
import * as pulumi from '@pulumi/pulumi';
import type * as docker from '@pulumi/docker';

/** gateway, user, mail, push, redis, nats, maildev or push-sink. */
export const ROLE_LABEL = 'workshop.role';
/** The replica id of a service container, e.g. mail-2 (the same as its REPLICA_ID). */
export const REPLICA_LABEL = 'workshop.replica';
export const STACK_LABEL = 'workshop.stack';

export function containerLabels(role: string, replicaId?: string): docker.types.input.ContainerLabel[] {
  const labels: Record<string, string> = { [ROLE_LABEL]: role, [STACK_LABEL]: pulumi.getStack() };
  if (replicaId) labels[REPLICA_LABEL] = replicaId;
  return Object.entries(labels).map(([label, value]) => ({ label, value }));
}

/** `{ A: 'x' }` as Docker wants it: `['A=x']`. */
export function envList(env: Record<string, pulumi.Input<string>>): pulumi.Input<string>[] {
  return Object.entries(env).map(([name, value]) => pulumi.interpolate`${name}=${value}`);
}

/**
 * Containers of a plan as the checks and the runtime name and reach them:
 * the label a message gives a container, the host a URL in an env names, and
 * the containers that host reaches on the networks they share.
 */
import type { Plan, PlanContainer } from './types';

/** The label of a container in messages: its replica id, Docker name or resource name. */
export function describe(c: PlanContainer): string {
  return c.replicaId ?? c.name ?? c.resource;
}

/** Every container that `c` can reach by `host`: an alias or a container name on a network they share. */
export function resolveHost(plan: Plan, c: PlanContainer, host: string): PlanContainer[] {
  const mine = new Set(c.networks.map((n) => n.network));
  return plan.containers.filter((other) =>
    other.networks.some((n) => mine.has(n.network) && (n.aliases.includes(host) || other.name === host)),
  );
}

/** The host of a URL-valued variable, or undefined when the value is not a URL with a host. */
export function hostOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.hostname || undefined;
  } catch {
    return undefined;
  }
}

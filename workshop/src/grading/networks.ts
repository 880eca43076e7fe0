/**
 * The network check: the program declares a Docker network, and every
 * container joins one of the networks it declares (a network named but not
 * declared does not exist on a fresh engine; a container on none reaches
 * nobody by name).
 */
import { attachmentOf, describe, type Plan } from '../plan';
import { check } from './expect';

export function checkJoinsDeclaredNetwork(plan: Plan): void {
  check(
    plan.networks.length >= 1,
    'The program declares no Docker network (docker.Network): the containers could not reach each other by name.',
  );
  const loose = plan.containers
    .map((c) => ({ c, where: attachmentOf(plan, c) }))
    .filter(({ where }) => where.declared.length === 0);
  check(
    loose.length === 0,
    () =>
      loose.map(({ c, where }) => `The ${c.role ?? 'unknown'} container ${describe(c)} ${where.phrase}.`).join('\n') +
      '\nEvery container joins the network the program declares (its networksAdvanced), or no other container can reach it by name.',
  );
}

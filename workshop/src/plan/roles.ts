/**
 * Which part of the system a declared container is. The workshop's program
 * says so with labels (workshop.role, workshop.replica); a learner's program
 * that dropped them is still understood from REPLICA_ID, the image or the
 * network aliases.
 */
import { BROKER_KINDS, BROKERS } from '../runtime/brokers';
import { SERVICE_NAMES, type ServiceName } from '../runtime/topology';
import type { PlanContainer, Role } from './types';

export const ROLE_LABEL = 'workshop.role';
export const REPLICA_LABEL = 'workshop.replica';

export const BACKING_ROLES = [...BROKER_KINDS, 'maildev', 'push-sink'] as const;
const ROLES: readonly Role[] = [...SERVICE_NAMES, ...BACKING_ROLES];

export function isServiceRole(role: Role | undefined): role is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(role ?? '');
}

const isRole = (value: string | undefined): value is Role => ROLES.includes(value as Role);

type Unidentified = Omit<PlanContainer, 'role' | 'replicaId'>;

export function roleOf(c: Unidentified): Role | undefined {
  const label = c.labels[ROLE_LABEL];
  if (isRole(label)) return label;
  const replica = c.env.REPLICA_ID ?? c.labels[REPLICA_LABEL];
  if (replica === 'push-sink') return 'push-sink';
  const fromReplica = /^(gateway|user|mail|push)-\d+$/.exec(replica ?? '')?.[1];
  if (isRole(fromReplica)) return fromReplica;
  const built = c.build?.args.SERVICE;
  if (isRole(built)) return built;
  // A registry image: the last path segment without its tag (redis:7-alpine, maildev/maildev:2.2.1).
  const repo = c.image.split('@')[0].split('/').pop()?.split(':')[0] ?? '';
  for (const kind of BROKER_KINDS) if (repo.includes(BROKERS[kind].imageMatch)) return kind;
  if (repo.includes('maildev')) return 'maildev';
  for (const alias of c.networks.flatMap((n) => n.aliases)) if (isRole(alias) && !isServiceRole(alias)) return alias;
  return undefined;
}

/** A service replica's id: its label, else its REPLICA_ID. */
export function replicaIdOf(c: Unidentified): string | undefined {
  return c.labels[REPLICA_LABEL] ?? c.env.REPLICA_ID;
}

export function identify(c: Unidentified): PlanContainer {
  const role = roleOf(c);
  return { ...c, role, replicaId: isServiceRole(role) ? replicaIdOf(c) : undefined };
}
